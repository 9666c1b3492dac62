/**
 * Numbers for the GPU kernel tests: a seeded generator for inputs and the error metric.
 *
 * Relative error per element: |a - e| / max(|e|, floor), floor = FLOOR_FRACTION * max|e| over the tensor.
 * Without a floor, elements that are near zero only by cancellation (sums of many terms of both signs)
 * would report huge relative errors from float32 rounding alone; with it, such elements are held to an
 * absolute error of tolerance * floor instead.
 */
import * as tf from '@tensorflow/tfjs';

export const FLOOR_FRACTION = 1e-2;

/** Mulberry32: small, seeded, good enough for test inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [-scale, scale), seeded. */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale), shape);
}

/**
 * `slack`: absolute error the expected values may carry themselves (e.g. the reference's clamp rounding),
 * subtracted before dividing; 0 for everything else.
 */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>, slack = 0): number {
  if (actual.length !== expected.length) return Infinity;
  let refMax = 0;
  for (let i = 0; i < expected.length; i++) refMax = Math.max(refMax, Math.abs(expected[i] ?? 0));
  const floor = Math.max(FLOOR_FRACTION * refMax, 1e-30);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    const err = Math.max(Math.abs(a - e) - slack, 0) / Math.max(Math.abs(e), floor);
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

export async function values(t: tf.Tensor): Promise<Float32Array> {
  const d = await t.data();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}
