// Backward of the demodulation coefficients w.r.t. the weight:
//   dW[k, i, o] = W[k, i, o] * Q[i, o],   Q[i, o] = sum_n h[n, o] * s[n, i]^2
// with h from modulated_conv_dcoef_grad_scale.wgsl. Q does not depend on the tap k, so one invocation per
// (i, o) computes it once and writes all kh*kw outputs.
// Inputs: h [N, Cout], s [N, Cin], w [kh, kw, Cin, Cout]. Output: [kh, kw, Cin, Cout].
// Uniforms: modulated_conv_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let o = index % uniforms.outChannels;
  let i = index / uniforms.outChannels;
  var q = 0.0;
  for (var n = 0; n < uniforms.batch; n++) {
    let si = s[n * uniforms.inChannels + i];
    q += h[n * uniforms.outChannels + o] * si * si;
  }
  let plane = uniforms.inChannels * uniforms.outChannels;
  for (var k = 0; k < uniforms.taps; k++) {
    result[k * plane + index] = w[k * plane + index] * q;
  }
}
