// Filtered leaky ReLU, upsampling along x (forward pass 1 of 4; also the first backward pass, which needs the
// pre-activation again): u[n, iy, tx] = sum over the up taps that land on real samples of
// upTap * (x[n, iy, ix] + bias). Inputs: x [N, inH, inW, C], bias [C]. Output: u for one chunk of the batch,
// [nb, inH, tmpW, C]. Helpers and the uniform contract: filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring columns tx0 .. tx0 + 3, loading each input column they share once:
// (3 + upTaps - 1) / up + 1 loads instead of 4 x upTaps / up (8 instead of 24 for 12 taps at up 2). Each
// output sums its taps in the same order as a one-output loop (input column ascending).

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let xBlocks = ceilDiv(uniforms.tmpW, 4);
  let c = index % cv;
  let p = index / cv;
  let tx0 = (p % xBlocks) * 4;
  let q = p / xBlocks;
  let iy = q % uniforms.inH;
  let nLocal = q / uniforms.inH;
  let n = nLocal + uniforms.batchOffset;
  let up = uniforms.up;
  let r = upBlockRange(tx0, uniforms.padLeft, uniforms.inW);
  let b = bias[c];
  var idx = ((n * uniforms.inH + iy) * uniforms.inW + r.x) * cv + c;
  var a = r.x * up + uniforms.padLeft - tx0;  // tap of output tx0; output tx0 + k uses a - k
  var acc0 = ChannelVec(0.0);
  var acc1 = ChannelVec(0.0);
  var acc2 = ChannelVec(0.0);
  var acc3 = ChannelVec(0.0);
  for (var i = r.x; i <= r.y; i++) {
    let v = x[idx] + b;
    acc0 += upTap(a) * v;
    acc1 += upTap(a - 1) * v;
    acc2 += upTap(a - 2) * v;
    acc3 += upTap(a - 3) * v;
    idx += cv;
    a += up;
  }
  let o = ((nLocal * uniforms.inH + iy) * uniforms.tmpW + tx0) * cv + c;
  result[o] = acc0;
  if (tx0 + 1 < uniforms.tmpW) { result[o + cv] = acc1; }
  if (tx0 + 2 < uniforms.tmpW) { result[o + 2 * cv] = acc2; }
  if (tx0 + 3 < uniforms.tmpW) { result[o + 3 * cv] = acc3; }
}
