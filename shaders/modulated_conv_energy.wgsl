// Weight energy E[i, o] = sum_k W[k, i, o]^2, one invocation per (i, o); neighbours read neighbouring o.
// Input: w [kh, kw, Cin, Cout]. Output: [Cin, Cout]. Uniforms: modulated_conv_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let plane = uniforms.inChannels * uniforms.outChannels;
  var e = 0.0;
  for (var k = 0; k < uniforms.taps; k++) {
    let v = w[k * plane + index];
    e += v * v;
  }
  result[index] = e;
}
