/**
 * Layer norm over the last axis (PyTorch's nn.LayerNorm(C)): (x - mean) / sqrt(var + eps) * gamma + beta,
 * with the biased variance. VM-UNet normalises before every SS2D, inside it (out_norm), and after patch
 * embedding, merging and expanding.
 */
import * as tf from '@tensorflow/tfjs';

/** x [..., C]; gamma, beta [C]. */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): T {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalised, gamma), beta) as T;
  });
}
