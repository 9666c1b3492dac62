// Filtered leaky ReLU, upsampling along x (forward pass 1 of 4; also the first backward pass, which needs the
// pre-activation again): u[n, iy, tx] = sum over the up taps that land on real samples of
// upTap * (x[n, iy, ix] + bias). Inputs: x [N, inH, inW, C], bias [C]. Output: u for one chunk of the batch,
// [nb, inH, tmpW, C]. Helpers and the uniform contract: filtered_lrelu_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let c = index % cv;
  let p = index / cv;
  let tx = p % uniforms.tmpW;
  let q = p / uniforms.tmpW;
  let iy = q % uniforms.inH;
  let n = q / uniforms.inH + uniforms.batchOffset;
  let rx = tapRange(tx, uniforms.padLeft, uniforms.inW);
  let b = bias[c];
  var idx = ((n * uniforms.inH + iy) * uniforms.inW + rx.i0 + rx.j0) * cv + c;
  var k = rx.a0 + rx.j0 * uniforms.up;
  var acc = ChannelVec(0.0);
  for (var jx = rx.j0; jx < rx.j1; jx++) {
    acc += upTap(k) * (x[idx] + b);
    idx += cv;
    k += uniforms.up;
  }
  result[index] = acc;
}
