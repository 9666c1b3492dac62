/**
 * The start-up self-test: one SGD step of a small conv net on fixed data, run on the chosen backend and on
 * the CPU backend, compared value by value. It catches a backend that loads but computes wrong numbers
 * (a broken driver, a precision surprise) before any long training is trusted to it.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/rng.ts';

/** Relative tolerance: float32 on GPUs reorders sums, so exact equality is not expected; 1e-3 is. */
export const SELF_TEST_TOLERANCE = 1e-3;

export interface StepResult {
  loss: number;
  /** Weights after one step, flattened in a fixed order. */
  weights: Float32Array;
}

function fixed(shape: number[], seed: number, scale: number): tf.Tensor {
  const rand = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale), shape);
}

/** conv 3x3 (stride 2) -> relu -> conv 3x3 -> relu -> dense -> softmax cross-entropy, one SGD step. */
export async function selfTestStep(): Promise<StepResult> {
  const vars = tf.tidy(() => ({
    k1: tf.variable(fixed([3, 3, 1, 4], 11, 0.5)),
    k2: tf.variable(fixed([3, 3, 4, 8], 12, 0.3)),
    w: tf.variable(fixed([3 * 3 * 8, 2], 13, 0.2)),
    b: tf.variable(tf.zeros([2])),
  }));
  const x = fixed([4, 11, 11, 1], 21, 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2));
  const opt = tf.train.sgd(0.1);
  try {
    const loss = opt.minimize(
      () => {
        const h1 = tf.relu(tf.conv2d(x, vars.k1 as tf.Variable<tf.Rank.R4>, 2, 'same'));
        const h2 = tf.relu(tf.conv2d(h1, vars.k2 as tf.Variable<tf.Rank.R4>, 2, 'same'));
        const logits = tf.add(tf.matMul(tf.reshape(h2, [4, -1]), vars.w), vars.b);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      },
      true,
      [vars.k1, vars.k2, vars.w, vars.b],
    )!;
    const lossValue = (await loss.data())[0]!;
    loss.dispose();
    const parts = await Promise.all([vars.k1, vars.k2, vars.w, vars.b].map((v) => v.data() as Promise<Float32Array>));
    const weights = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      weights.set(p, o);
      o += p.length;
    }
    return { loss: lossValue, weights };
  } finally {
    opt.dispose();
    x.dispose();
    y.dispose();
    Object.values(vars).forEach((v) => v.dispose());
  }
}

/** Largest relative difference between two step results (relative to max(|a|, 1e-3) per value). */
export function maxRelativeError(a: StepResult, b: StepResult): number {
  const rel = (p: number, q: number) => Math.abs(p - q) / Math.max(Math.abs(p), Math.abs(q), 1e-3);
  let worst = rel(a.loss, b.loss);
  for (let i = 0; i < a.weights.length; i++) worst = Math.max(worst, rel(a.weights[i]!, b.weights[i] ?? NaN));
  if (a.weights.length !== b.weights.length) worst = Infinity;
  return worst;
}
