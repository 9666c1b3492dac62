/**
 * Separable upfirdn (upsample by zero insertion, pad, FIR, downsample) along one spatial axis of an NHWC
 * tensor, in plain tfjs ops. StyleGAN3's `upfirdn2d` with a separable filter is this applied along H then W.
 *
 * Two implementations, chosen per call, both measured on the cpu backend (the WGSL kernel replaces the
 * whole filtered leaky ReLU on WebGPU, so these are references that must also be usable for training):
 * - Upsampling: a transposed convolution with stride `up` over a one-channel view of the tensor
 *   ([N, H, W*C, 1] along H, [N*H, W, C, 1] along W). That is zero insertion and the FIR in one op,
 *   touching only the real samples (polyphase), and needs no pad op, whose gradient (a strided slice)
 *   the cpu backend computes element by element: 2-4x faster than zero insertion + depthwise conv.
 * - Filtering/downsampling: a depthwise convolution with a [k,1] or [1,k] kernel and stride `down`.
 * The depthwise path is differentiable once only (tfjs has no gradient for
 * DepthwiseConv2dNativeBackpropInput), which is enough for the generator: StyleGAN3 has no path-length
 * regulariser, so nothing differentiates G twice. The discriminator folds its FIR into its convolution
 * weights instead (see `fir-conv.ts`).
 */
import * as tf from '@tensorflow/tfjs';

export type Axis = 'height' | 'width';

export interface UpFirDnAxisParams {
  /** Filter taps (applied as a true convolution, i.e. flipped, like upfirdn2d with flip_filter=False). */
  taps: Float32Array;
  /** Zero-insertion factor before filtering. */
  up: number;
  /** Keep every `down`-th sample after filtering. */
  down: number;
  /** Zeros added before / after along the axis after upsampling; negative values crop. */
  padLo: number;
  padHi: number;
  /** Multiplier on the taps (StyleGAN3 uses `up` per axis so the upsampled signal keeps its level). */
  gain: number;
}

/** Insert `up - 1` zeros after every sample along `axis` (length L -> L * up). */
export function zeroInsert(x: tf.Tensor4D, axis: Axis, up: number): tf.Tensor4D {
  if (up === 1) return x;
  const [n, h, w, c] = x.shape;
  if (axis === 'height') {
    const spread = x.reshape([n, h, 1, w * c]).pad([[0, 0], [0, 0], [0, up - 1], [0, 0]]);
    return spread.reshape([n, h * up, w, c]);
  }
  const spread = x.reshape([n * h, w, 1, c]).pad([[0, 0], [0, 0], [0, up - 1], [0, 0]]);
  return spread.reshape([n, h, w * up, c]);
}

/** Pad with zeros (positive amounts) or crop (negative amounts) along one axis. */
export function padAxis(x: tf.Tensor4D, axis: Axis, lo: number, hi: number): tf.Tensor4D {
  if (lo === 0 && hi === 0) return x;
  const dim = axis === 'height' ? 1 : 2;
  const cropLo = Math.max(0, -lo);
  const cropHi = Math.max(0, -hi);
  let y = x;
  if (cropLo > 0 || cropHi > 0) {
    const begin: [number, number, number, number] = [0, 0, 0, 0];
    const size: [number, number, number, number] = [...y.shape];
    begin[dim] = cropLo;
    size[dim] = (y.shape[dim] ?? 0) - cropLo - cropHi;
    y = y.slice(begin, size);
  }
  const padLo = Math.max(0, lo);
  const padHi = Math.max(0, hi);
  if (padLo > 0 || padHi > 0) {
    const pads: Array<[number, number]> = [[0, 0], [0, 0], [0, 0], [0, 0]];
    pads[dim] = [padLo, padHi];
    y = y.pad(pads);
  }
  return y;
}

/** Depthwise kernel for a 1-D filter along `axis`: [k,1,C,1] or [1,k,C,1], flipped so the op convolves. */
function depthwiseKernel(taps: Float32Array, gain: number, axis: Axis, channels: number): tf.Tensor4D {
  const k = taps.length;
  const data = new Float32Array(k * channels);
  for (let i = 0; i < k; i++) {
    const tap = (taps[k - 1 - i] ?? 0) * gain;
    for (let c = 0; c < channels; c++) data[i * channels + c] = tap;
  }
  const shape: [number, number, number, number] = axis === 'height' ? [k, 1, channels, 1] : [1, k, channels, 1];
  return tf.tensor4d(data, shape);
}

/**
 * Zero insertion by `up`, padding (lo, hi) and the FIR in one transposed convolution, or null when the
 * padding cannot be expressed that way. With k taps, upfirdn's output o[m] is F[m + k - 1 - lo] of the
 * full convolution F of the zero-inserted signal, and conv2dTranspose with explicit padding (top, bottom)
 * returns exactly F[m + top].
 */
function upsampleByTransposedConv(x: tf.Tensor4D, axis: Axis, p: UpFirDnAxisParams): tf.Tensor4D | null {
  const k = p.taps.length;
  const top = k - 1 - p.padLo;
  const bottom = k - p.up - p.padHi;
  if (top < 0 || bottom < 0) return null;
  const [n, h, w, c] = x.shape;
  // One-channel view whose first spatial dimension is the axis being resampled.
  const view = (axis === 'height' ? x.reshape([n, h, w * c, 1]) : x.reshape([n * h, w, c, 1])) as tf.Tensor4D;
  const [vn, len, rest] = view.shape;
  const outLen = len * p.up + p.padLo + p.padHi - k + 1;
  const kernel = tf.tensor4d(
    Array.from(p.taps, (t) => t * p.gain),
    [k, 1, 1, 1],
  );
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [top, bottom],
    [0, 0],
    [0, 0],
  ];
  const y = tf.conv2dTranspose(view, kernel, [vn, outLen, rest, 1], [p.up, 1], pad);
  return (axis === 'height' ? y.reshape([n, outLen, w, c]) : y.reshape([n, h, outLen, c])) as tf.Tensor4D;
}

/** upfirdn along one axis. Output length: floor(((L * up + padLo + padHi) - k) / down) + 1. */
export function upfirdnAxis(x: tf.Tensor4D, axis: Axis, p: UpFirDnAxisParams): tf.Tensor4D {
  if (p.up > 1 && p.down === 1 && p.taps.length > 1) {
    const y = upsampleByTransposedConv(x, axis, p);
    if (y) return y;
  }
  const upsampled = zeroInsert(x, axis, p.up);
  if (p.taps.length === 1 && p.down === 1) {
    const padded = padAxis(upsampled, axis, p.padLo, p.padHi);
    const scale = (p.taps[0] ?? 1) * p.gain;
    return scale === 1 ? padded : padded.mul(scale);
  }
  // Positive padding goes into the convolution itself: a separate pad op's gradient is a strided slice,
  // which the cpu backend computes element by element (5x slower here). Negative padding crops first.
  const cropped = padAxis(upsampled, axis, Math.min(0, p.padLo), Math.min(0, p.padHi));
  const lo = Math.max(0, p.padLo);
  const hi = Math.max(0, p.padHi);
  const pad: [[number, number], [number, number], [number, number], [number, number]] =
    axis === 'height' ? [[0, 0], [lo, hi], [0, 0], [0, 0]] : [[0, 0], [0, 0], [lo, hi], [0, 0]];
  const kernel = depthwiseKernel(p.taps, p.gain, axis, cropped.shape[3]);
  const strides: [number, number] = axis === 'height' ? [p.down, 1] : [1, p.down];
  return tf.depthwiseConv2d(cropped, kernel, strides, pad);
}
