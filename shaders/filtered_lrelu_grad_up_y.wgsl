// Filtered leaky ReLU backward, the transposed up FIR along y (backward pass 4 of 5). Input row iy sits at
// padded position y0 = iy * up + padTop of the zero-inserted signal, and temporary row ty read it through
// tap a = y0 - ty, so gy[n, iy, tx] = sum over a of upTap(a) * gt[n, y0 - a, tx].
// Input: gt for one chunk [nb, tmpH, tmpW, C]. Output: gy [nb, inH, tmpW, C].
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring rows iy0 .. iy0 + 3, loading each gt row they share once:
// 3 * up + upTaps loads instead of 4 x upTaps (18 instead of 48 for 12 taps at up 2). Each output sums its
// taps in the order of a one-output loop (tap ascending, so ty descending).

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let yBlocks = ceilDiv(uniforms.inH, 4);
  let c = index % cv;
  let p = index / cv;
  let tx = p % uniforms.tmpW;
  let q = p / uniforms.tmpW;
  let iy0 = (q % yBlocks) * 4;
  let nLocal = q / yBlocks;
  let up = uniforms.up;
  let y00 = iy0 * up + uniforms.padTop;
  let r = upTransposedBlockRange(y00, uniforms.tmpH);
  let stride = uniforms.tmpW * cv;
  var idx = ((nLocal * uniforms.tmpH + r.y) * uniforms.tmpW + tx) * cv + c;
  var a = y00 - r.y;  // tap of output iy0; output iy0 + k uses a + k * up
  let u1 = up;
  let u2 = 2 * up;
  let u3 = 3 * up;
  var acc0 = ChannelVec(0.0);
  var acc1 = ChannelVec(0.0);
  var acc2 = ChannelVec(0.0);
  var acc3 = ChannelVec(0.0);
  for (var ty = r.y; ty >= r.x; ty--) {
    let v = gt[idx];
    acc0 += upTap(a) * v;
    acc1 += upTap(a + u1) * v;
    acc2 += upTap(a + u2) * v;
    acc3 += upTap(a + u3) * v;
    idx -= stride;
    a += 1;
  }
  let o = ((nLocal * uniforms.inH + iy0) * uniforms.tmpW + tx) * cv + c;
  result[o] = acc0;
  if (iy0 + 1 < uniforms.inH) { result[o + stride] = acc1; }
  if (iy0 + 2 < uniforms.inH) { result[o + 2 * stride] = acc2; }
  if (iy0 + 3 < uniforms.inH) { result[o + 3 * stride] = acc3; }
}
