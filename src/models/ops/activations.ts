/**
 * Activations written with `abs` so that they are differentiable twice on every tfjs backend.
 * tf.leakyRelu and tf.clipByValue build their gradients from comparison masks (Greater, LogicalAnd) that
 * have no gradient of their own, which breaks the R1 penalty's second-order gradient (ENVIRONMENT.md).
 * With abs, the first derivative is a step (sign) and the second is zero almost everywhere, exactly as for
 * the masked versions.
 */
import * as tf from '@tensorflow/tfjs';

/** Leaky ReLU with negative slope `slope`: ((1+a)/2) x + ((1-a)/2) |x|. slope 0.2 gives 0.6x + 0.4|x|. */
export function leakyReluAbs<T extends tf.Tensor>(x: T, slope = 0.2): T {
  if (slope === 1) return x;
  return tf.add(tf.mul(x, (1 + slope) / 2), tf.mul(tf.abs(x), (1 - slope) / 2));
}

/** Clamp to [-c, c] as 0.5 (|x + c| - |x - c|), which equals x inside and +-c outside. */
export function clampAbs<T extends tf.Tensor>(x: T, c: number): T {
  return tf.mul(tf.sub(tf.abs(tf.add(x, c)), tf.abs(tf.sub(x, c))), 0.5);
}
