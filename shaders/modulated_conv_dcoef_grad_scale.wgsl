// Backward of the demodulation coefficients, step 1: h[n, o] = -dy[n, o] * dcoef[n, o]^3, the factor both
// gradients share (d dcoef / d S = -dcoef^3 / 2 with S the sum under the rsqrt; the 2 of d S cancels it).
// Inputs: dy [N, Cout], dcoef [N, Cout]. Output: [N, Cout]. Uniforms: modulated_conv_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let d = dcoef[index];
  result[index] = -dy[index] * d * d * d;
}
