// Shared part of the filtered leaky ReLU programs. Every program is separable: one pass per axis, because
// StyleGAN3's FIR filters are separable and a 2-D pass per output position read ceil(taps/up)^2 (up) or
// taps^2 (down) samples where two 1-D passes read about 2 x taps (about 4x fewer loads in all, measured
// on SwiftShader where loads set the speed). Forward: filtered_lrelu_up_x, _up_y (activation), _down_x,
// _down_y. Backward: filtered_lrelu_up_x (again, for the pre-activation), _grad_down_y, _grad_down_x
// (times the activation's derivative), _grad_up_y, _grad_up_x. The TS side prepends this file to each,
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

// Polyphase range along one axis: temporary position `pos` reads input samples through taps
// a = a0 + j * up (a < upTaps), input index i0 + j; only j in [j0, j1) land inside [0, inSize).
struct TapRange {
  a0 : i32,
  i0 : i32,
  j0 : i32,
  j1 : i32,
}

fn tapRange(pos : i32, pad : i32, inSize : i32) -> TapRange {
  let up = uniforms.up;
  let a0 = posMod(pad - pos, up);          // first tap that lands on a real (not inserted) sample
  let i0 = (pos + a0 - pad) / up;          // exact: the numerator is a multiple of up
  let j0 = max(0, -i0);
  let j1 = min(ceilDiv(uniforms.upTaps - a0, up), inSize - i0);
  return TapRange(a0, i0, j0, j1);
}

// Down filter, transposed (backward): outputs o reading temporary position pos through tap a = pos - o*down: a = a0 + j*down, o = o0 - j, with
// j in [j0, j1) keeping a < downTaps and 0 <= o < outSize.
fn downTapRange(pos : i32, outSize : i32) -> vec4<i32> {
  let down = uniforms.down;
  let a0 = pos % down;
  let o0 = pos / down;
  let j0 = max(0, o0 - outSize + 1);
  let j1 = min(ceilDiv(uniforms.downTaps - a0, down), o0 + 1);
  return vec4<i32>(a0, o0, j0, j1);
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
