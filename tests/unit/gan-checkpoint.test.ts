import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { firstNonFinite, restoreCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.ts';
import { createGanState, disposeGanState } from '../../src/train/gan-state.ts';
import { ganStep } from '../../src/train/gan-step.ts';
import { tinyTraining } from './gan-fixtures.ts';

/** A batch of "real" images in [-1, 1], fixed for the test. */
function realBatch(n: number, r: number): tf.Tensor4D {
  return tf.tidy(() => tf.randomUniform([n, r, r, 1], -1, 1, 'float32', 123) as tf.Tensor4D);
}

describe('GAN checkpoints', () => {
  it('a run resumed from a checkpoint continues exactly as the uninterrupted run', async () => {
    await tf.setBackend('cpu');
    const config = tinyTraining(3, 4); // R1 every 2 steps: both optimizers' moments are exercised
    const batch = realBatch(4, 32);

    const straight = createGanState(config);
    const a: number[] = [];
    for (let i = 0; i < 4; i++) a.push((await ganStep(straight, batch)).lossD);

    const first = createGanState(config);
    for (let i = 0; i < 2; i++) await ganStep(first, batch);
    const saved = await saveCheckpoint(first);
    disposeGanState(first);
    // Through structured clone, as IndexedDB stores it.
    const resumed = await restoreCheckpoint(structuredClone(saved));
    expect(resumed.step).toBe(2);
    const b: number[] = [];
    for (let i = 0; i < 2; i++) b.push((await ganStep(resumed, batch)).lossD);

    expect(b[0]).toBeCloseTo(a[2]!, 5);
    expect(b[1]).toBeCloseTo(a[3]!, 5);
    disposeGanState(straight);
    disposeGanState(resumed);
    batch.dispose();
  });

  it('saving and restoring leaks no tensors', async () => {
    await tf.setBackend('cpu');
    const config = tinyTraining(1, 4);
    const batch = realBatch(4, 32);
    const state = createGanState(config);
    await ganStep(state, batch);
    const before = tf.memory().numTensors;
    const c = await saveCheckpoint(state);
    expect(tf.memory().numTensors).toBe(before);
    const restored = await restoreCheckpoint(c);
    disposeGanState(restored);
    expect(tf.memory().numTensors).toBe(before);
    disposeGanState(state);
    batch.dispose();
  });

  it('refuses a checkpoint from another model shape with a message', async () => {
    await tf.setBackend('cpu');
    const state = createGanState(tinyTraining(1, 4));
    const c = await saveCheckpoint(state);
    disposeGanState(state);
    const key = Object.keys(c.G).find((k) => k.endsWith('.weight'))!;
    c.G[key] = { ...c.G[key]!, shape: [1, 2, 3] };
    const before = tf.memory().numTensors;
    await expect(restoreCheckpoint(c)).rejects.toThrow(/is 1x2x3, the model wants/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the first non-finite tensor, so training never stores broken weights as a checkpoint', async () => {
    await tf.setBackend('cpu');
    const batch = realBatch(4, 32);
    const state = createGanState(tinyTraining(1, 4));
    await ganStep(state, batch);
    const c = await saveCheckpoint(state);
    disposeGanState(state);
    batch.dispose();
    expect(firstNonFinite(c)).toBeNull();
    const key = Object.keys(c.gEma).at(-1)!;
    const ema = c.gEma[key]!;
    ema.data[ema.data.length - 1] = NaN;
    expect(firstNonFinite(c)).toBe(`EMA generator ${key}`);
    ema.data[ema.data.length - 1] = 0;
    c.optD.at(-1)!.data[0] = -Infinity;
    expect(firstNonFinite(c)).toBe(`D optimizer weight ${c.optD.length - 1}`);
  });
});
