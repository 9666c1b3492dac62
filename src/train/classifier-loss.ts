/**
 * The classifier's loss: softmax cross-entropy with optional per-class weights, and the "balanced" weights
 * that counter class imbalance without touching the data (the alternative the enlargement is compared with).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Mean softmax cross-entropy of logits [N, K] against int32 labels [N]. With class weights [K], each sample's
 * term is weighted by its class's weight and the sum divided by the sum of those weights (PyTorch's
 * CrossEntropyLoss(weight=...) convention), so the loss stays on the unweighted scale whatever the weights.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, classWeights: tf.Tensor1D | null = null): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[1];
    const onehot = tf.oneHot(labels, k);
    const perSample = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1));
    if (!classWeights) return tf.mean(perSample) as tf.Scalar;
    const w = tf.gather(classWeights, labels);
    return tf.div(tf.sum(tf.mul(perSample, w)), tf.sum(w)) as tf.Scalar;
  });
}

/**
 * n / (K * n_c) per class (scikit-learn's class_weight='balanced'): every class then contributes the same
 * total weight. A class with no images gets weight 0 (it cannot occur in a batch anyway).
 */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const n = counts.reduce((s, c) => s + c, 0);
  const k = counts.length;
  return counts.map((c) => (c > 0 ? n / (k * c) : 0));
}
