// Shared part of the filtered leaky ReLU programs (forward: filtered_lrelu.wgsl, filtered_lrelu_down.wgsl;
// backward: filtered_lrelu_grad.wgsl, filtered_lrelu_grad_up.wgsl). The TS side prepends this file to each
// (and filtered_lrelu_activation.wgsl to the two programs that read x and bias), preceded by one line
//   alias ChannelVec = vec4<f32>;   (channel count divisible by 4: every load moves 4 channels)
// or
//   alias ChannelVec = f32;
// which must match the array element type tfjs declares (program.outputComponent 4 or 1).
//
// Tensors are NHWC float32, flattened; channel indices below count ChannelVecs. The maths (StyleGAN3's
// filtered_lrelu, see src/models/ops/filtered-lrelu.ts for the plain-tfjs reference):
//   v   = upfirdn(x + bias): zero insertion by `up`, padding (padTop, padLeft; negative crops), separable FIR
//   t   = clamp(lrelu(v, slope) * gain, +-clampMax)           (the "temporary", at the upsampled rate)
//   out = FIR(t) with the down filter, every `down`-th sample, no padding
// Filters are uploaded already flipped (so a true convolution becomes the plain sums below) and the up
// filter already carries its gain `up` per axis. Tap a of the up filter multiplies padded sample ty + a.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/filtered-lrelu.ts must match field for field
// (checked by the GPU test page).
struct FilteredLreluParams {
  batchOffset : i32,  // first sample of this chunk of the batch (big batches run in chunks)
  count : i32,        // invocations with work in this dispatch
  resultBase : i32,   // ChannelVec offset of this chunk in `result` (0 when result is chunk-sized)
  inH : i32,
  inW : i32,
  channelVecs : i32,  // channels / (components of ChannelVec)
  tmpH : i32,         // temporary (upsampled) size
  tmpW : i32,
  outH : i32,
  outW : i32,
  up : i32,
  down : i32,
  padTop : i32,
  padLeft : i32,
  upTaps : i32,
  downTaps : i32,
  clampOn : i32,      // 0: no clamp
  gain : f32,
  slope : f32,
  clampMax : f32,
  outScale : f32,     // 1, or the down filter's single 2-D tap when the down pass is folded into pass 1
  upFilter : array<vec4<f32>, 16>,    // up to 64 taps, flipped, times `up`
  downFilter : array<vec4<f32>, 16>,  // up to 64 taps, flipped
}

// Taps live in uniform vec4 arrays (uniform arrays need a 16-byte stride); i >= 0, so shifts replace / and %.
fn upTap(i : i32) -> f32 {
  return uniforms.upFilter[i >> 2u][i & 3];
}

fn downTap(i : i32) -> f32 {
  return uniforms.downFilter[i >> 2u][i & 3];
}

// Non-negative remainder (WGSL's % keeps the sign of the dividend).
fn posMod(a : i32, m : i32) -> i32 {
  return ((a % m) + m) % m;
}

// Ceiling division for a >= 0, m > 0.
fn ceilDiv(a : i32, m : i32) -> i32 {
  return (a + m - 1) / m;
}
