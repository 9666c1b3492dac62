// Shared part of the filtered leaky ReLU programs. Every program is separable: one pass per axis, because
// StyleGAN3's FIR filters are separable and a 2-D pass per output position read ceil(taps/up)^2 (up) or
// taps^2 (down) samples where two 1-D passes read about 2 x taps (about 4x fewer loads in all, measured
// on SwiftShader where loads set the speed). Forward: filtered_lrelu_up_x, _up_y (activation), _down_x,
// _down_y. Backward: filtered_lrelu_up_x (again, for the pre-activation), _grad_down_x, _grad_down_y
// (times the activation's derivative, recomputed along y so both of its loops share rows), _grad_up_y,
// _grad_up_x. Every program computes 4 neighbouring outputs along its axis per invocation (register
// blocking): their taps overlap, so a block loads about (3 * step + taps) / step samples once instead of
// 4 x (taps / step) for 4 single outputs. The TS side prepends this file to each,
// preceded by one line
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
  tapPad : i32,       // zeros in front of (and behind) the taps in both filter arrays: 3 * max(up, down)
  upFilter : array<vec4<f32>, 32>,    // tapPad zeros, up to 64 taps, flipped, times `up`, zeros
  downFilter : array<vec4<f32>, 32>,  // tapPad zeros, up to 64 taps, flipped, zeros
}

// Taps live in uniform vec4 arrays (uniform arrays need a 16-byte stride). Tap i for -tapPad <= i <
// taps + tapPad: 0 outside [0, taps). The blocked loops below read the taps of 4 neighbouring outputs at
// once, some of which fall outside the filter; the zeros let them add those terms (+0 exactly, every value
// read is finite) instead of testing each index, which cost more than the loads (measured on SwiftShader).
// i + tapPad >= 0, so shifts replace / and %.
fn upTap(i : i32) -> f32 {
  let j = i + uniforms.tapPad;
  return uniforms.upFilter[j >> 2u][j & 3];
}

fn downTap(i : i32) -> f32 {
  let j = i + uniforms.tapPad;
  return uniforms.downFilter[j >> 2u][j & 3];
}

// Non-negative remainder (WGSL's % keeps the sign of the dividend).
fn posMod(a : i32, m : i32) -> i32 {
  return ((a % m) + m) % m;
}

// Ceiling division for a >= 0, m > 0.
fn ceilDiv(a : i32, m : i32) -> i32 {
  return (a + m - 1) / m;
}

// Floor division for any sign of a, m > 0.
fn floorDiv(a : i32, m : i32) -> i32 {
  return (a - posMod(a, m)) / m;
}

// Input samples [x, y] (inclusive) that the 4 temporary positions p0 .. p0 + 3 read through the up filter
// (tap a = i * up + pad - pos in [0, upTaps)), kept inside [0, inSize). Empty when y < x.
fn upBlockRange(p0 : i32, pad : i32, inSize : i32) -> vec2<i32> {
  let up = uniforms.up;
  let lo = max(0, floorDiv(p0 - pad + up - 1, up));
  let hi = min(inSize - 1, floorDiv(p0 + 2 + uniforms.upTaps - pad, up));
  return vec2<i32>(lo, hi);
}

// Down filter, transposed: outputs o [x, y] (inclusive) that the 4 temporary positions p0 .. p0 + 3 feed
// (tap a = pos - o * down in [0, downTaps)), kept inside [0, outSize).
fn downBlockRange(p0 : i32, outSize : i32) -> vec2<i32> {
  let down = uniforms.down;
  let lo = max(0, floorDiv(p0 - uniforms.downTaps + down, down));
  let hi = min(outSize - 1, floorDiv(p0 + 3, down));
  return vec2<i32>(lo, hi);
}

// Up filter, transposed: temporary positions [x, y] (inclusive) that the 4 input positions i0 .. i0 + 3
// (padded position y0 = i * up + pad) read through tap a = y0 - pos in [0, upTaps), kept inside [0, tmpSize).
fn upTransposedBlockRange(y00 : i32, tmpSize : i32) -> vec2<i32> {
  let lo = max(0, y00 - uniforms.upTaps + 1);
  let hi = min(tmpSize - 1, y00 + 3 * uniforms.up);
  return vec2<i32>(lo, hi);
}

// leaky ReLU times gain, then the optional clamp.
fn activate(v : ChannelVec) -> ChannelVec {
  var y = select(v * uniforms.slope, v, v >= ChannelVec(0.0)) * uniforms.gain;
  if (uniforms.clampOn != 0) {
    y = clamp(y, ChannelVec(-uniforms.clampMax), ChannelVec(uniforms.clampMax));
  }
  return y;
}

// d activate / d v: slope or 1, times gain, and 0 where the clamp holds the value (the reference's
// clamp, 0.5 * (|y + c| - |y - c|), has derivative 0 there too; only |y| == c exactly differs).
fn activateDerivative(v : ChannelVec) -> ChannelVec {
  let d = select(ChannelVec(uniforms.slope), ChannelVec(1.0), v >= ChannelVec(0.0)) * uniforms.gain;
  if (uniforms.clampOn != 0) {
    return select(d, ChannelVec(0.0), abs(v * d) >= ChannelVec(uniforms.clampMax));
  }
  return d;
}
