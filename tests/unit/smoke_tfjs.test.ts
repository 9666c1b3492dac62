import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';

describe('tfjs in Node', () => {
  it('runs on the cpu backend', async () => {
    await tf.setBackend('cpu');
    const y = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum());
    expect(await y.data()).toEqual(new Float32Array([14]));
    y.dispose();
  });
});
