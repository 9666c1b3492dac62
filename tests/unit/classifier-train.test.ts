// Classifier training end to end on the CPU backend: no tensor leaks, same seed -> same weights, the small
// ResNet learns a trivially separable problem, and fit() keeps the best epoch's weights and honours stops.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, gaussian, mulberry32 } from '../../src/data/rng.ts';
import { Classifier } from '../../src/models/classifier.ts';
import { classifierPreset } from '../../src/models/classifier-config.ts';
import { DEFAULT_CLASSIFIER_AUGMENT } from '../../src/train/classifier-augment.ts';
import type { ImageSplit } from '../../src/train/classifier-data.ts';
import { evaluateClassifier } from '../../src/train/classifier-evaluate.ts';
import {
  DEFAULT_CLASSIFIER_TRAINING,
  epochBatches,
  trainClassifier,
  trainEpoch,
  trainStep,
  type ClassifierTrainingConfig,
} from '../../src/train/classifier-train.ts';
import { DEFAULT_ADAM, ScheduledOptimizer } from '../../src/train/scheduled-optimizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * n grey images of side `size`: noise around mid-grey with one bright bar, horizontal for class 0 and
 * vertical for class 1, at a random position. Trivially separable by a convolution, not by mean brightness.
 */
function bars(n: number, size: number, seed: number): ImageSplit {
  const rand = mulberry32(seed);
  const images = new Uint8Array(n * size * size);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    labels[i] = label;
    const at = 2 + Math.floor(rand() * (size - 6));
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const onBar = label === 0 ? r >= at && r < at + 2 : c >= at && c < at + 2;
        const v = (onBar ? 200 : 90) + 15 * gaussian(rand);
        images[(i * size + r) * size + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { images, labels, size, channels: 1 };
}

const tiny16 = (seed: number) => new Classifier(classifierPreset('tiny', { inputSize: 16, channels: 1, numClasses: 2 }, seed));

function config(over: Partial<ClassifierTrainingConfig>): ClassifierTrainingConfig {
  return { ...DEFAULT_CLASSIFIER_TRAINING, batchSize: 8, epochs: 2, schedule: { kind: 'constant' }, ...over };
}

describe('trainStep and trainEpoch', () => {
  it('leave no tensors behind: the count is flat across steps and across epochs', async () => {
    const model = tiny16(1);
    const data = bars(12, 16, 1);
    const opt = new ScheduledOptimizer(DEFAULT_ADAM, model.trainableVariables());
    const x = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(Float32Array.from(data.images.subarray(0, 4 * 256)), [4, 16, 16, 1]), 127.5), 1)) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 0, 1], 'int32');
    const w = tf.tensor1d([1, 2]);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { loss, correct } = trainStep(model, opt, x, y, 1e-3, i % 2 ? w : null);
      expect(Number.isFinite((await loss.data())[0])).toBe(true);
      tf.dispose([loss, correct]);
      counts.push(tf.memory().numTensors);
    }
    // The first step fills the model's im2col kernel cache; every later step must leave the count unchanged.
    expect(counts.slice(1)).toEqual([counts[0], counts[0], counts[0]]);
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 2; epoch++) {
      await trainEpoch(model, opt, data, { epoch, batchSize: 5, seed: 3, augment: DEFAULT_CLASSIFIER_AUGMENT, classWeights: [1, 2], learningRate: () => 1e-3 });
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([x, y, w]);
    opt.dispose();
    model.dispose();
  });

  it('cuts an epoch into seeded batches, dropping a single-image remainder', () => {
    const a = epochBatches(11, 5, 7, 0);
    expect(a.map((b) => b.length)).toEqual([5, 5]); // 11 = 5 + 5 + 1: the lone image waits for the next epoch
    expect(epochBatches(11, 5, 7, 0)).toEqual(a);
    expect(epochBatches(11, 5, 7, 1)).not.toEqual(a);
    expect(epochBatches(12, 5, 7, 0).map((b) => b.length)).toEqual([5, 5, 2]);
    expect(epochBatches(1, 5, 7, 0).map((b) => b.length)).toEqual([1]); // a one-image set still trains
    const all = new Set(epochBatches(12, 5, 7, 2).flatMap((b) => Array.from(b)));
    expect(all.size).toBe(12);
  });

  it('is deterministic: same seeds give identical weights after N steps, another training seed does not', async () => {
    const data = bars(24, 16, 2);
    async function weightsAfter(trainSeed: number): Promise<Record<string, { values: Float32Array }>> {
      const model = tiny16(5);
      const opt = new ScheduledOptimizer(DEFAULT_ADAM, model.trainableVariables());
      // 3 steps of 8 images, with augmentation and class weights.
      await trainEpoch(model, opt, data, { epoch: 0, batchSize: 8, seed: trainSeed, augment: DEFAULT_CLASSIFIER_AUGMENT, classWeights: [2, 1], learningRate: (e) => 1e-3 * (1 - e / 2) });
      const w = await model.getWeights();
      opt.dispose();
      model.dispose();
      return w;
    }
    const a = await weightsAfter(11);
    const b = await weightsAfter(11);
    const c = await weightsAfter(12);
    expect(b).toEqual(a); // bit-identical, batch-norm running statistics included
    expect(c['conv1.weight']!.values).not.toEqual(a['conv1.weight']!.values);
  });
});

describe('learning', () => {
  it("the 'small' ResNet learns a separable 2-class problem to > 90 % test accuracy in a few epochs", async () => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const model = new Classifier(classifierPreset('small', { inputSize: 16, channels: 1, numClasses: 2 }, 3));
    const train = bars(64, 16, 10);
    const test = bars(64, 16, 20);
    const result = await trainClassifier(model, train, null, config({ epochs: 3, batchSize: 8, learningRate: 5e-3, augment: null, seed: 1 }));
    const evaluation = await evaluateClassifier(model, test);
    const seconds = (performance.now() - t0) / 1000;
    // CPU time too: on a shared machine the wall time says more about the neighbours than about this code.
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    console.log(
      `small ResNet, 64 images of 16 px, 3 epochs: train loss ${result.history.map((h) => h.loss.toFixed(3)).join(' -> ')}; ` +
        `test accuracy ${evaluation.accuracy.toFixed(3)}, macro-F1 ${evaluation.macroF1.toFixed(3)}, AUC ${evaluation.auc.toFixed(3)}; ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU`,
    );
    expect(result.stopReason).toBe('completed');
    expect(result.bestEpoch).toBeNull(); // no validation split: the last weights
    expect(evaluation.accuracy).toBeGreaterThan(0.9);
    expect(evaluation.confusion.flat().reduce((s, v) => s + v, 0)).toBe(64);
    model.dispose();
  });
});

describe('trainClassifier', () => {
  it("ends with the best validation epoch's weights and reports them", async () => {
    const model = tiny16(2);
    const train = bars(24, 16, 3);
    const val = bars(16, 16, 4);
    const epochsSeen: number[] = [];
    const steps: number[] = [];
    const result = await trainClassifier(model, train, val, config({ epochs: 3, learningRate: 1e-2, seed: 4 }), {
      onEpoch: (r) => void epochsSeen.push(r.epoch),
      onStep: (s) => void steps.push(s.step),
      reportEvery: 1,
    });
    expect(epochsSeen).toEqual([0, 1, 2]);
    expect(steps).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(result.history).toHaveLength(3);
    const best = result.bestEpoch!;
    expect(result.history[best]!.best).toBe(true);
    expect(result.bestValMacroF1).toBe(result.history[best]!.val!.macroF1);
    // The model now holds the best epoch's weights: evaluating again gives exactly that epoch's numbers.
    const again = await evaluateClassifier(model, val);
    expect(again.macroF1).toBe(result.history[best]!.val!.macroF1);
    expect(again.loss).toBeCloseTo(result.history[best]!.val!.loss, 6);
    model.dispose();
  });

  it('stops on request and leaves no tensors behind', async () => {
    const model = tiny16(3);
    tf.dispose(model.forward(tf.zeros([2, 16, 16, 1]), false)); // fill the kernel cache before counting
    const before = tf.memory().numTensors;
    let epochs = 0;
    const result = await trainClassifier(model, bars(16, 16, 5), bars(8, 16, 6), config({ epochs: 5 }), {
      onEpoch: () => void epochs++,
      shouldStop: () => epochs >= 1,
    });
    expect(result.stopReason).toBe('stopped');
    expect(result.history).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses class weights of the wrong length and a plateau schedule without validation', async () => {
    const model = tiny16(4);
    const data = bars(8, 16, deriveSeed(1, 2));
    await expect(trainClassifier(model, data, null, config({ classWeights: [1, 2, 3] }))).rejects.toThrow(/3 class weights for 2 classes/);
    await expect(trainClassifier(model, data, null, config({ schedule: { kind: 'plateau', factor: 0.5, patience: 2, minFactor: 0.01 } }))).rejects.toThrow(
      /plateau schedule needs a validation split/,
    );
    model.dispose();
  });
});
