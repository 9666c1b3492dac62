/**
 * Alias-free filtered leaky ReLU (StyleGAN3 `filtered_lrelu`), the plain-tfjs reference.
 *
 *   x + bias -> upsample by `up` with the up filter -> leaky ReLU * gain -> clamp -> low-pass with the
 *   down filter and keep every `down`-th sample.
 *
 * Order follows StyleGAN3's `_filtered_lrelu_ref` (and their CUDA kernel): the bias is added before
 * upsampling. Away from the borders that is nearly the same as adding it after (the up filter passes DC
 * with gain 1); at the zero-padded borders it is not, so the order is kept for fidelity. The nonlinearity runs at the higher temporary
 * rate so the new frequencies it creates can be filtered out before going back down.
 *
 * This function is the one hot spot WGSL kernels replace (shaders/filtered_lrelu_*.wgsl, one axis per pass); keep its
 * signature and semantics stable. It is differentiable once (the generator needs no more): the downsampling
 * FIR passes are depthwise convolutions, see upfirdn.ts. tf.clipByValue is not used for the clamp: its
 * gradient is built from LogicalAnd masks with no gradient of their own (measured), see activations.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { clampAbs, leakyReluAbs } from './activations.ts';
import { upfirdnAxis } from './upfirdn.ts';

export { designLowpassFilter } from './lowpass-filter.ts';

/** Zeros added around the upsampled signal, per side (negative values crop). */
export interface FilteredLreluPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface FilteredLreluParams {
  /** Upsampling factor before the nonlinearity (1 = none). */
  up: number;
  /** Downsampling factor after it (1 = none). */
  down: number;
  /** Separable 1-D low-pass taps used when upsampling ([1] = identity). */
  upFilter: Float32Array;
  /** Separable 1-D low-pass taps used before downsampling ([1] = identity). */
  downFilter: Float32Array;
  /** Padding of the upsampled signal (StyleGAN3 computes it so output sizes come out exact). */
  padding: FilteredLreluPadding;
  /** Multiplier after the leaky ReLU (sqrt(2) for hidden layers, 1 for ToRGB). */
  gain: number;
  /** Negative slope of the leaky ReLU (0.2; 1 makes it linear, as for ToRGB). */
  slope: number;
  /** Clamp the activations to [-clamp, clamp] after the gain; null = no clamp. StyleGAN3 uses 256. */
  clamp: number | null;
}

/** Output spatial size along one axis for a given input size. */
export function filteredLreluOutputSize(inSize: number, p: FilteredLreluParams, axis: 'height' | 'width'): number {
  const [lo, hi] = axis === 'height' ? [p.padding.top, p.padding.bottom] : [p.padding.left, p.padding.right];
  const afterUp = inSize * p.up + lo + hi - (p.upFilter.length - 1);
  return Math.floor((afterUp - p.downFilter.length) / p.down) + 1;
}

/**
 * x: [N, H, W, C] (NHWC), bias: [C]. Returns [N, H', W', C] with H' from `filteredLreluOutputSize`.
 */
export function filteredLrelu(x: tf.Tensor4D, bias: tf.Tensor1D, p: FilteredLreluParams): tf.Tensor4D {
  return tf.tidy(() => {
    const biased = tf.add(x, bias) as tf.Tensor4D;
    // Upsample: zero insertion, padding and the up filter, separably. The gain `up` per axis restores the
    // signal level lost to the inserted zeros (upfirdn2d's gain = up**2 for the 2-D filter).
    const upCommon = { taps: p.upFilter, up: p.up, down: 1, gain: p.up };
    const upH = upfirdnAxis(biased, 'height', { ...upCommon, padLo: p.padding.top, padHi: p.padding.bottom });
    const up = upfirdnAxis(upH, 'width', { ...upCommon, padLo: p.padding.left, padHi: p.padding.right });

    let act = leakyReluAbs(up, p.slope);
    if (p.gain !== 1) act = act.mul(p.gain);
    if (p.clamp !== null) act = clampAbs(act, p.clamp);

    const downCommon = { taps: p.downFilter, up: 1, down: p.down, gain: 1, padLo: 0, padHi: 0 };
    const downH = upfirdnAxis(act, 'height', downCommon);
    return upfirdnAxis(downH, 'width', downCommon);
  });
}
