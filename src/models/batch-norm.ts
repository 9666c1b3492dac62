/**
 * Batch normalisation over the batch and spatial axes of NHWC activations, written out in plain ops (the
 * codebase does not use tf.layers): learned scale gamma and shift beta, and running mean / variance buffers
 * for evaluation.
 *
 * Training: normalise with the batch's own statistics (biased variance, as PyTorch and Keras do) and move the
 * running statistics toward them, the variance unbiased (x m / (m - 1)) as PyTorch stores it. The update is
 * a side effect of the forward pass, like PyTorch's module in train mode; it is not differentiated through.
 *
 * The running averages are bias-corrected: batch t (0-based) gets weight max(momentum, 1 / (t + 1)), i.e. a
 * plain cumulative average over the first 1 / momentum batches, then PyTorch's exponential average. With
 * PyTorch's rule the initial values (mean 0, variance 1) still weigh 0.9^t after t batches: 19 % after 16,
 * which made a briefly trained net's evaluation-mode outputs collapse (a stem BN whose true variance was 0.02
 * normalised by 0.2). The batch count is kept as a buffer (PyTorch's num_batches_tracked).
 * Evaluation: normalise with the running statistics, so a prediction does not depend on its batch.
 *
 * Reductions and per-channel broadcasts go through row-broadcast.ts (matMul forms), see there for why.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './param-store.ts';
import { broadcastRows, columnMean } from './ops/row-broadcast.ts';

export interface BatchNorm {
  gamma: tf.Variable; // [C], trainable
  beta: tf.Variable; // [C], trainable
  runningMean: tf.Variable; // [C], buffer
  runningVar: tf.Variable; // [C], buffer
  batchesTracked: tf.Variable; // [], buffer: training batches seen
  /** Weight of the current batch in the running statistics (PyTorch's momentum). */
  momentum: number;
  epsilon: number;
}

export function createBatchNorm(
  store: ParamStore,
  key: string,
  channels: number,
  o: { momentum: number; epsilon: number; gammaInit?: number },
): BatchNorm {
  return {
    // Keys as PyTorch names them (weight = gamma, bias = beta), so checkpoints read like torchvision's.
    gamma: store.constant(`${key}.weight`, [channels], o.gammaInit ?? 1),
    beta: store.constant(`${key}.bias`, [channels], 0),
    runningMean: store.buffer(`${key}.running_mean`, [channels], 0),
    runningVar: store.buffer(`${key}.running_var`, [channels], 1),
    batchesTracked: store.buffer(`${key}.num_batches_tracked`, [], 0),
    momentum: o.momentum,
    epsilon: o.epsilon,
  };
}

/** Normalise x [N, H, W, C] (training: batch statistics + running update; else running statistics). */
export function batchNorm(bn: BatchNorm, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const m = n * h * w;
    const x2 = tf.reshape(x, [m, c]) as tf.Tensor2D;
    if (!training) {
      const scale = tf.mul(bn.gamma, tf.rsqrt(tf.add(bn.runningVar, bn.epsilon)));
      const shift = tf.sub(bn.beta, tf.mul(bn.runningMean, scale));
      return tf.reshape(tf.add(tf.mul(x2, broadcastRows(scale, m)), broadcastRows(shift, m)), [n, h, w, c]);
    }
    if (m < 2) throw new Error('batchNorm: training needs more than one value per channel (batch x height x width >= 2)');
    const mean = columnMean(x2);
    const centred = tf.sub(x2, broadcastRows(mean, m));
    const variance = columnMean(tf.square(centred) as tf.Tensor2D);
    const scale = tf.mul(tf.reshape(bn.gamma, [1, c]), tf.rsqrt(tf.add(variance, bn.epsilon)));
    const y = tf.add(tf.mul(centred, broadcastRows(scale, m)), broadcastRows(bn.beta, m));
    updateRunningStats(bn, mean, variance, m);
    return tf.reshape(y, [n, h, w, c]);
  });
}

function updateRunningStats(bn: BatchNorm, mean: tf.Tensor2D, variance: tf.Tensor2D, m: number): void {
  // Computed on the device from the stored count: no readback in the training step.
  const k = tf.maximum(tf.div(1, tf.add(bn.batchesTracked, 1)), bn.momentum);
  bn.batchesTracked.assign(tf.add(bn.batchesTracked, 1));
  // Under a gradient tape these ops are recorded too, but nothing of the loss depends on them, so backprop
  // prunes them (tfjs has no stopGradient op).
  const batchMean = tf.reshape(mean, [-1]);
  const batchVar = tf.mul(tf.reshape(variance, [-1]), m / (m - 1));
  const keep = tf.sub(1, k);
  bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, keep), tf.mul(batchMean, k)));
  bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, keep), tf.mul(batchVar, k)));
}
