// Backward of the demodulation coefficients w.r.t. the styles: ds[n, i] = s[n, i] * sum_o h[n, o] * E[i, o]
// with h from modulated_conv_dcoef_grad_scale.wgsl. One invocation per (n, i).
// Inputs: h [N, Cout], s [N, Cin], energy [Cin, Cout]. Output: [N, Cin]. Uniforms: modulated_conv_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let i = index % uniforms.inChannels;
  let n = index / uniforms.inChannels;
  let hBase = n * uniforms.outChannels;
  let eBase = i * uniforms.outChannels;
  var acc = 0.0;
  for (var o = 0; o < uniforms.outChannels; o++) {
    acc += h[hBase + o] * energy[eBase + o];
  }
  result[index] = s[index] * acc;
}
