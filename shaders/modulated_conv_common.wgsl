// Shared uniform contract of the demodulation-coefficient programs (modulated_conv_energy.wgsl,
// modulated_conv_dcoef.wgsl, modulated_conv_dcoef_grad_*.wgsl); the TS side prepends this file to each.
//
//   E[i, o]    = sum over kh, kw of W[kh, kw, i, o]^2                       (weight energy)
//   dcoef[n, o] = rsqrt(sum over i of s[n, i]^2 * E[i, o] + 1e-8)
// with W [kh, kw, Cin, Cout] (tfjs filter layout) and styles s [N, Cin], all float32 and flattened.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/modulated-conv-dcoef.ts must match field for
// field (checked by the GPU test page).
struct DemodParams {
  count : i32,        // invocations with work in this dispatch
  batch : i32,        // N
  inChannels : i32,   // Cin
  outChannels : i32,  // Cout
  taps : i32,         // kh * kw
}
