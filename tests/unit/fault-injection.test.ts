import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { applyPendingFault, injectFault, trainingLoopStarted } from '../../src/pipeline/fault-injection.ts';
import { createGanState, disposeGanState } from '../../src/train/gan-state.ts';
import { ganStep } from '../../src/train/gan-step.ts';
import { tinyTraining } from './gan-fixtures.ts';

/** The test-only fault injection (the e2e tests use it in the browser; here its NaN path on the CPU backend). */
describe('fault injection (for tests)', () => {
  it('does nothing unless asked, and refuses to arm a NaN when no generator trains', async () => {
    await tf.setBackend('cpu');
    const state = createGanState(tinyTraining(1, 4));
    expect(applyPendingFault(state)).toBe(false);
    expect(() => injectFault('nan')).toThrow(/no generator is training/);
    expect(() => injectFault('device-lost')).toThrow(/cpu backend has no GPU device/);
    disposeGanState(state);
  });

  it("'nan' makes the next real training step's losses non-finite, once", async () => {
    await tf.setBackend('cpu');
    const batch = tf.tidy(() => tf.randomUniform([4, 32, 32, 1], -1, 1, 'float32', 5) as tf.Tensor4D);
    const state = createGanState(tinyTraining(1, 4));
    const ended = trainingLoopStarted();
    expect(Number.isFinite((await ganStep(state, batch)).lossD)).toBe(true);
    injectFault('nan');
    const before = tf.memory().numTensors;
    expect(applyPendingFault(state)).toBe(true);
    expect(tf.memory().numTensors).toBe(before); // the poisoning leaks nothing
    const poisoned = await ganStep(state, batch);
    expect(Number.isFinite(poisoned.lossG) || Number.isFinite(poisoned.lossD)).toBe(false);
    expect(applyPendingFault(state)).toBe(false); // one-shot
    // An armed fault does not outlive its run.
    injectFault('nan');
    ended();
    expect(applyPendingFault(state)).toBe(false);
    disposeGanState(state);
    batch.dispose();
  });
});
