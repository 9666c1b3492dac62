// Filtered leaky ReLU backward, the transposed up FIR along x (backward pass 5 of 5):
// dx[n, iy, ix] = sum over k of upTap(k) * gy[n, iy, ix * up + padLeft - k].
// Input: gy for one chunk [nb, inH, tmpW, C]. Output: the chunk's part of dx [N, inH, inW, C] (at resultBase).
// d bias is the sum of dx over N, H, W (bias is added before upsampling), done by the caller.
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring columns ix0 .. ix0 + 3, loading each gy column they share once
// (see filtered_lrelu_grad_up_y.wgsl), same summation order as a one-output loop.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let xBlocks = ceilDiv(uniforms.inW, 4);
  let c = index % cv;
  let p = index / cv;
  let ix0 = (p % xBlocks) * 4;
  let row = p / xBlocks;  // nLocal * inH + iy
  let up = uniforms.up;
  let x00 = ix0 * up + uniforms.padLeft;
  let r = upTransposedBlockRange(x00, uniforms.tmpW);
  var idx = (row * uniforms.tmpW + r.y) * cv + c;
  var a = x00 - r.y;  // tap of output ix0; output ix0 + k uses a + k * up
  let u1 = up;
  let u2 = 2 * up;
  let u3 = 3 * up;
  var acc0 = ChannelVec(0.0);
  var acc1 = ChannelVec(0.0);
  var acc2 = ChannelVec(0.0);
  var acc3 = ChannelVec(0.0);
  for (var tx = r.y; tx >= r.x; tx--) {
    let v = gy[idx];
    acc0 += upTap(a) * v;
    acc1 += upTap(a + u1) * v;
    acc2 += upTap(a + u2) * v;
    acc3 += upTap(a + u3) * v;
    idx -= cv;
    a += 1;
  }
  let o = uniforms.resultBase + (row * uniforms.inW + ix0) * cv + c;
  result[o] = acc0;
  if (ix0 + 1 < uniforms.inW) { result[o + cv] = acc1; }
  if (ix0 + 2 < uniforms.inW) { result[o + 2 * cv] = acc2; }
  if (ix0 + 3 < uniforms.inW) { result[o + 3 * cv] = acc3; }
}
