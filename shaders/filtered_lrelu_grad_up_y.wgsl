// Filtered leaky ReLU backward, the transposed up FIR along y (backward pass 4 of 5). Input row iy sits at
// padded position y0 = iy * up + padTop of the zero-inserted signal, and temporary row ty read it through
// tap a = y0 - ty, so gy[n, iy, tx] = sum over a of upTap(a) * gt[n, y0 - a, tx].
// Input: gt for one chunk [nb, tmpH, tmpW, C]. Output: gy [nb, inH, tmpW, C].
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.

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
  let nLocal = q / uniforms.inH;
  let y0 = iy * uniforms.up + uniforms.padTop;
  // Taps whose temporary row lies inside [0, tmpH).
  let a0 = max(0, y0 - uniforms.tmpH + 1);
  let a1 = min(uniforms.upTaps, y0 + 1);
  var idx = ((nLocal * uniforms.tmpH + y0 - a0) * uniforms.tmpW + tx) * cv + c;
  var acc = ChannelVec(0.0);
  for (var a = a0; a < a1; a++) {
    acc += upTap(a) * gt[idx];
    idx -= uniforms.tmpW * cv;
  }
  result[index] = acc;
}
