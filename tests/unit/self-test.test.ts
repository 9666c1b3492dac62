import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { maxRelativeError, selfTestStep } from '../../src/gpu/self-test.ts';

describe('backend self-test', () => {
  it('is deterministic, moves the weights, and leaks no tensors', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const a = await selfTestStep();
    const b = await selfTestStep();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(a.loss)).toBe(true);
    expect(maxRelativeError(a, b)).toBe(0);
    expect(a.weights.length).toBe(3 * 3 * 1 * 4 + 3 * 3 * 4 * 8 + 72 * 2 + 2);
  });
  it('reports a wrong result as a large error, and NaN as a failure', () => {
    const a = { loss: 1, weights: new Float32Array([1, 2, 3]) };
    expect(maxRelativeError(a, { loss: 1, weights: new Float32Array([1, 2, 3.1]) })).toBeGreaterThan(1e-2);
    expect(maxRelativeError(a, { loss: NaN, weights: a.weights }) <= 1e-3).toBe(false);
    expect(maxRelativeError(a, { loss: 1, weights: new Float32Array([1, 2]) }) <= 1e-3).toBe(false);
  });
});
