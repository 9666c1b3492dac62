// Filtered leaky ReLU backward, pass 1 of 2: gradient at the temporary's positions,
//   gt[ty, tx] = activateDerivative(v[ty, tx]) * sum over outputs (oy, ox) that read (ty, tx) of
//                downTap(ty - oy*down) * downTap(tx - ox*down) * dy[oy, ox]
// i.e. the transposed down FIR, times the activation's derivative (v recomputed from x and bias rather than
// stored: it costs the same reads as the forward pass and no memory between forward and backward).
// Inputs: dy [N, outH, outW, C], x [N, inH, inW, C], bias [C]. Output: gt for one chunk [nb, tmpH, tmpW, C].
// Helpers and the uniform contract: filtered_lrelu_common.wgsl and filtered_lrelu_activation.wgsl.

// Outputs o reading temporary position pos through tap a = pos - o*down: a = a0 + j*down, o = o0 - j, with
// j in [j0, j1) keeping a < downTaps and 0 <= o < outSize.
fn downTapRange(pos : i32, outSize : i32) -> vec4<i32> {
  let down = uniforms.down;
  let a0 = pos % down;
  let o0 = pos / down;
  let j0 = max(0, o0 - outSize + 1);
  let j1 = min(ceilDiv(uniforms.downTaps - a0, down), o0 + 1);
  return vec4<i32>(a0, o0, j0, j1);
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let c = index % cv;
  let p = index / cv;
  let tx = p % uniforms.tmpW;
  let q = p / uniforms.tmpW;
  let ty = q % uniforms.tmpH;
  let n = q / uniforms.tmpH + uniforms.batchOffset;
  let down = uniforms.down;
  let ry = downTapRange(ty, uniforms.outH);
  let rx = downTapRange(tx, uniforms.outW);
  var g = ChannelVec(0.0);
  var rowIdx = ((n * uniforms.outH + ry.y - ry.z) * uniforms.outW + rx.y - rx.z) * cv + c;
  var a = ry.x + ry.z * down;
  for (var jy = ry.z; jy < ry.w; jy++) {
    var idx = rowIdx;
    var k = rx.x + rx.z * down;
    var rowAcc = ChannelVec(0.0);
    for (var jx = rx.z; jx < rx.w; jx++) {
      rowAcc += downTap(k) * dy[idx];
      idx -= cv;
      k += down;
    }
    g += downTap(a) * rowAcc;
    rowIdx -= uniforms.outW * cv;
    a += down;
  }
  // Border positions that no output reads need no activation.
  if (any(g != ChannelVec(0.0))) {
    g *= activateDerivative(preActivation(n, ty, tx, c));
  }
  result[index] = g;
}
