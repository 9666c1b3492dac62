// Shared part of the fused bias + activation + gain + clamp programs (bias_act.wgsl, bias_act_grad.wgsl):
// StyleGAN's `bias_act` for the layers that are not alias-free (the discriminator, the mapping network).
//
//   v = x + b[c]                     (c = the last, channel axis)
//   a = v > 0 ? v : slope * v        (slope 1 = linear)
//   y = gain * a, clamped to [-clamp, clamp] when clamp >= 0
//
// Inputs are flat float32 arrays; x has `count` elements and `channels` values per position.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/bias-act.ts must match field for field
// (checked by the GPU test page).
struct BiasActParams {
  count : i32,      // elements of x (and of the output)
  channels : i32,   // size of the last axis, = length of b
  slope : f32,      // negative slope (1 = linear)
  gain : f32,       // output gain
  clamp : f32,      // clamp bound, or negative for none
}

// NaN by its bits: comparisons such as v != v may be folded away by a shader compiler.
fn isNanF32(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// The activation's derivative w.r.t. v, times the clamp's (1 inside the bound, 0 outside), as the plain-tfjs
// reference (0.5(1+s) v + 0.5(1-s)|v|, then 0.5(|y + c| - |y - c|)) differentiates it: tfjs's d|v|/dv is
// 1 for v > 0 and -1 otherwise, so v = 0 takes the negative side's slope, y = c counts as inside and
// y = -c as outside. Exact ties matter only for bit-for-bit agreement with the reference.
fn biasActSlope(v : f32) -> f32 {
  if (isNanF32(v)) {
    return v; // a NaN stays a NaN (tfjs's Step does the same), so the NaN watch still sees it
  }
  var d = uniforms.gain;
  if (v <= 0.0) {
    d = d * uniforms.slope;
  }
  if (uniforms.clamp >= 0.0) {
    let y = select(v * uniforms.slope, v, v > 0.0) * uniforms.gain;
    if (!(y > -uniforms.clamp && y <= uniforms.clamp)) {
      d = 0.0;
    }
  }
  return d;
}
