/**
 * StyleGAN's `bias_act` for the layers that are not alias-free (discriminator convolutions, dense layers):
 * add a per-channel bias, apply leaky ReLU (or nothing), multiply by a gain, optionally clamp. The plain-tfjs
 * reference, written with `abs` so that it is differentiable twice (src/models/ops/activations.ts); on
 * WebGPU the same contract runs as one fused kernel (src/gpu/kernels/bias-act.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { clampAbs, leakyReluAbs } from './activations.ts';

export interface BiasActParams {
  /** Negative slope of the leaky ReLU; 1 = linear (no activation). */
  slope: number;
  /** Multiplies the activation's output (sqrt(2) for leaky ReLU keeps unit variance). */
  gain: number;
  /** Clamp the result to [-clamp, clamp] (StyleGAN's conv_clamp), or null for none. */
  clamp: number | null;
}

/** x: [..., C] (channels last), bias: [C] or null. */
export function biasAct<T extends tf.Tensor>(x: T, bias: tf.Tensor1D | null, p: BiasActParams): T {
  return tf.tidy(() => {
    let y: tf.Tensor = bias ? tf.add(x, bias) : x;
    y = leakyReluAbs(y, p.slope);
    if (p.gain !== 1) y = tf.mul(y, p.gain);
    if (p.clamp !== null) y = clampAbs(y, p.clamp);
    return y as T;
  });
}
