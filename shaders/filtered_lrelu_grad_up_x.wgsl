// Filtered leaky ReLU backward, the transposed up FIR along x (backward pass 5 of 5):
// dx[n, iy, ix] = sum over k of upTap(k) * gy[n, iy, ix * up + padLeft - k].
// Input: gy for one chunk [nb, inH, tmpW, C]. Output: the chunk's part of dx [N, inH, inW, C] (at resultBase).
// d bias is the sum of dx over N, H, W (bias is added before upsampling), done by the caller.
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let c = index % cv;
  let p = index / cv;
  let ix = p % uniforms.inW;
  let q = p / uniforms.inW;
  let iy = q % uniforms.inH;
  let nLocal = q / uniforms.inH;
  let x0 = ix * uniforms.up + uniforms.padLeft;
  // Taps whose temporary column lies inside [0, tmpW).
  let k0 = max(0, x0 - uniforms.tmpW + 1);
  let k1 = min(uniforms.upTaps, x0 + 1);
  var idx = ((nLocal * uniforms.inH + iy) * uniforms.tmpW + x0 - k0) * cv + c;
  var acc = ChannelVec(0.0);
  for (var k = k0; k < k1; k++) {
    acc += upTap(k) * gy[idx];
    idx -= cv;
  }
  result[uniforms.resultBase + index] = acc;
}
