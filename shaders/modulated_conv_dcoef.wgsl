// Demodulation coefficients dcoef[n, o] = rsqrt(sum_i s[n, i]^2 * E[i, o] + 1e-8), one invocation per (n, o).
// Inputs: s [N, Cin], energy [Cin, Cout]. Output: [N, Cout]. Uniforms: modulated_conv_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let o = index % uniforms.outChannels;
  let n = index / uniforms.outChannels;
  var acc = 0.0;
  for (var i = 0; i < uniforms.inChannels; i++) {
    let si = s[n * uniforms.inChannels + i];
    acc += si * si * energy[i * uniforms.outChannels + o];
  }
  result[index] = inverseSqrt(acc + 1e-8);
}
