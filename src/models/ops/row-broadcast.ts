/**
 * Per-channel arithmetic on [rows, channels] matrices written as matrix products.
 *
 * Batch norm and biases need "add / multiply a [C] vector to every row of [M, C]" and "mean of every column".
 * tfjs's CPU backend computes an index per element for broadcasting binary ops (about 10x slower than
 * same-shape ones) and transposes before an axis-0 reduction; written as an outer product with a ones
 * column (and a ones row for the reduction) the same maths is a small matMul, on every backend, and its
 * gradient is again a matMul (a column sum). The feature extractor found this dominated a CPU training step.
 */
import * as tf from '@tensorflow/tfjs';

/** [C] or [1, C] -> [n, C], every row a copy of v. */
export function broadcastRows(v: tf.Tensor, n: number): tf.Tensor2D {
  return tf.matMul(tf.ones([n, 1]), tf.reshape(v, [1, -1]));
}

/** Column means of [n, C] as [1, C]. */
export function columnMean(x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.fill([1, x.shape[0]], 1 / x.shape[0]), x);
}
