// The pieces of classifier training, each against hand-computed values or a tfjs reference: loss and class
// weights, the optimizers, learning-rate schedules, the best-epoch rule and the augmentation.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/data/rng.ts';
import {
  applyClassifierAugment,
  drawClassifierAugment,
  DEFAULT_CLASSIFIER_AUGMENT,
  type ClassifierAugmentConfig,
  type ClassifierAugmentParams,
} from '../../src/train/classifier-augment.ts';
import { balancedClassWeights, softmaxCrossEntropy } from '../../src/train/classifier-loss.ts';
import { BestEpochTracker } from '../../src/train/early-stopping.ts';
import { LrScheduler, scheduledLearningRate } from '../../src/train/lr-schedule.ts';
import { ScheduledOptimizer } from '../../src/train/scheduled-optimizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? NaN);
}

describe('loss', () => {
  it('is the mean cross-entropy, or its class-weighted mean normalised by the weights', () => {
    const logits = tf.tensor2d([
      [2, 0],
      [0, 1],
    ]);
    const labels = tf.tensor1d([0, 1], 'int32');
    const ce0 = Math.log(1 + Math.exp(-2));
    const ce1 = Math.log(1 + Math.exp(-1));
    const plain = softmaxCrossEntropy(logits, labels);
    expect(plain.dataSync()[0]).toBeCloseTo((ce0 + ce1) / 2, 6);
    const w = tf.tensor1d([1, 3]);
    const weighted = softmaxCrossEntropy(logits, labels, w);
    expect(weighted.dataSync()[0]).toBeCloseTo((ce0 + 3 * ce1) / 4, 6);
    tf.dispose([logits, labels, plain, w, weighted]);
  });

  it("gives scikit-learn's balanced weights n / (K n_c)", () => {
    const w = balancedClassWeights([147, 399]);
    expect(w[0]).toBeCloseTo(546 / 294, 12);
    expect(w[1]).toBeCloseTo(546 / 798, 12);
    expect(balancedClassWeights([4, 0, 4])).toEqual([8 / 12, 0, 8 / 12]);
  });
});

describe('ScheduledOptimizer', () => {
  /** Three steps on f(a, b) = sum((a - 1)^2) + sum(b^2 * [1, 2]) with a given optimizer; returns the values. */
  function run(step: (vars: tf.Variable[], grads: tf.Tensor[], i: number) => void): number[] {
    const a = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.1]]));
    const b = tf.variable(tf.tensor1d([0.3, -0.7]));
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(tf.sub(a, 1))), tf.sum(tf.mul(tf.square(b), tf.tensor1d([1, 2])))) as tf.Scalar, [a, b]);
        step([a, b], [grads[a.name]!, grads[b.name]!], i);
      });
    }
    const out = [...a.dataSync(), ...b.dataSync()];
    tf.dispose([a, b]);
    return out;
  }

  it('Adam matches tfjs Adam with the same explicit epsilon', () => {
    let ours: ScheduledOptimizer | null = null;
    const mine = run((vars, grads) => {
      ours ??= new ScheduledOptimizer({ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 }, vars);
      ours.apply(grads, 0.05);
    });
    const ref = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
    const theirs = run((vars, grads) => ref.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! }))));
    // tfjs keeps beta^t in float32 variables multiplied step by step; ours is computed in float64: ~1e-6 apart.
    mine.forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 5));
    ours!.dispose();
    ref.dispose();
  });

  it('SGD with (Nesterov) momentum matches tfjs momentum', () => {
    for (const nesterov of [false, true]) {
      let ours: ScheduledOptimizer | null = null;
      const mine = run((vars, grads) => {
        ours ??= new ScheduledOptimizer({ kind: 'sgd', momentum: 0.9, nesterov, weightDecay: 0 }, vars);
        ours.apply(grads, 0.1);
      });
      const ref = tf.train.momentum(0.1, 0.9, nesterov);
      const theirs = run((vars, grads) => ref.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i]! }))));
      mine.forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 6));
      ours!.dispose();
      ref.dispose();
    }
  });

  it('takes a new learning rate at every step, decays only rank >= 2 weights, and keeps the tensor count flat', () => {
    const w = tf.variable(tf.ones([2, 2]));
    const bias = tf.variable(tf.ones([2]));
    const opt = new ScheduledOptimizer({ kind: 'sgd', momentum: 0, nesterov: false, weightDecay: 0.5 }, [w, bias]);
    const zeroGrads = [tf.zeros([2, 2]), tf.zeros([2])];
    const count = tf.memory().numTensors;
    opt.apply(zeroGrads, 0.1); // w -= 0.1 * 0.5 * w -> 0.95; bias untouched
    opt.apply(zeroGrads, 0.2); // w -> 0.95 * 0.9 = 0.855
    expect(tf.memory().numTensors).toBe(count);
    expect(w.dataSync()[0]).toBeCloseTo(0.855, 6);
    expect(Array.from(bias.dataSync())).toEqual([1, 1]);
    expect(() => opt.apply([zeroGrads[0]!], 0.1)).toThrow(/1 gradients for 2 variables/);
    tf.dispose([w, bias, ...zeroGrads]);
    opt.dispose();
  });
});

describe('learning-rate schedules', () => {
  it('cosine: warm-up, then from the base rate down to base * minFactor', () => {
    const s = { kind: 'cosine', warmupEpochs: 0, minFactor: 0.1 } as const;
    expect(scheduledLearningRate(s, 1, 0, 10)).toBeCloseTo(1, 12);
    expect(scheduledLearningRate(s, 1, 5, 10)).toBeCloseTo(0.55, 12);
    expect(scheduledLearningRate(s, 1, 10, 10)).toBeCloseTo(0.1, 12);
    const warm = { kind: 'cosine', warmupEpochs: 2, minFactor: 0 } as const;
    expect(scheduledLearningRate(warm, 1, 0, 10)).toBeCloseTo(1e-3, 12);
    expect(scheduledLearningRate(warm, 1, 1, 10)).toBeCloseTo(0.5005, 12);
    expect(scheduledLearningRate(warm, 1, 2, 10)).toBeCloseTo(1, 12);
    expect(scheduledLearningRate(warm, 1, 6, 10)).toBeCloseTo(0.5, 12);
  });

  it('step and constant', () => {
    const s = { kind: 'step', everyEpochs: 3, gamma: 0.5 } as const;
    expect([0, 2.9, 3, 6.5].map((e) => scheduledLearningRate(s, 0.1, e, 10))).toEqual([0.1, 0.1, 0.05, 0.025]);
    expect(scheduledLearningRate({ kind: 'constant' }, 0.3, 7, 10)).toBe(0.3);
  });

  it('plateau: lowers the rate after `patience` epochs without a better score, down to a floor', () => {
    const sch = new LrScheduler({ kind: 'plateau', factor: 0.5, patience: 2, minFactor: 0.2 }, 1, 20);
    const rates: number[] = [];
    for (const score of [0.5, 0.6, 0.6, 0.55, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]) {
      sch.epochEnd(score);
      rates.push(sch.rateAt(0));
    }
    expect(rates).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2]);
  });
});

describe('BestEpochTracker', () => {
  it('keeps the best score, breaks ties by loss, and stops after `patience` epochs without a new best', () => {
    const t = new BestEpochTracker(2, 0.01);
    expect(t.update(0, 0.5, 0.7)).toBe(true);
    expect(t.update(1, 0.505, 0.6)).toBe(false); // not better by more than minDelta, not an exact tie
    expect(t.update(2, 0.5, 0.65)).toBe(true); // exact tie, lower loss
    expect(t.shouldStop(2)).toBe(false);
    expect(t.update(3, 0.4, 0.5)).toBe(false);
    expect(t.shouldStop(3)).toBe(false);
    expect(t.update(4, NaN, 0.1)).toBe(false);
    expect(t.shouldStop(4)).toBe(true);
    expect([t.bestEpoch, t.bestScore, t.bestLoss]).toEqual([2, 0.5, 0.65]);
    const never = new BestEpochTracker(null);
    never.update(0, 1, 0);
    expect(never.shouldStop(100)).toBe(false);
  });
});

describe('classifier augmentation', () => {
  const identity: ClassifierAugmentParams = { flipX: false, flipY: false, tx: 0, ty: 0, scale: 1, angle: 0, brightness: 0, contrast: 1 };
  const geometryOnly: ClassifierAugmentConfig = { ...DEFAULT_CLASSIFIER_AUGMENT, brightness: 0, contrast: 0, fillMode: 'nearest' };

  it('leaves an image unchanged with identity parameters, flips exactly, shifts by whole pixels exactly', () => {
    const x = tf.randomUniform([2, 9, 9, 2], -1, 1, 'float32', 4) as tf.Tensor4D;
    const same = applyClassifierAugment(x, [identity, identity], geometryOnly);
    expect(maxAbsDiff(same, x)).toBeLessThan(1e-6);
    const flipped = applyClassifierAugment(x, [{ ...identity, flipX: true }, { ...identity, flipY: true }], geometryOnly);
    expect(maxAbsDiff(tf.slice(flipped, [0, 0, 0, 0], [1, -1, -1, -1]), tf.reverse(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]), 2))).toBeLessThan(1e-6);
    expect(maxAbsDiff(tf.slice(flipped, [1, 0, 0, 0], [1, -1, -1, -1]), tf.reverse(tf.slice(x, [1, 0, 0, 0], [1, -1, -1, -1]), 1))).toBeLessThan(1e-6);
    // tx = 2 moves content 2 columns right: out[:, :, c] = in[:, :, c - 2] away from the border.
    const shifted = applyClassifierAugment(x, [{ ...identity, tx: 2, ty: -1 }, identity], geometryOnly);
    const got = tf.slice(shifted, [0, 0, 2, 0], [1, 8, 7, -1]);
    const want = tf.slice(x, [0, 1, 0, 0], [1, 8, 7, -1]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
    // Scaling and rotating about the centre keep the centre pixel.
    const turned = applyClassifierAugment(x, [{ ...identity, scale: 1.3, angle: 0.4 }, identity], geometryOnly);
    expect(maxAbsDiff(tf.slice(turned, [0, 4, 4, 0], [1, 1, 1, -1]), tf.slice(x, [0, 4, 4, 0], [1, 1, 1, -1]))).toBeLessThan(1e-5);
    tf.dispose([x, same, flipped, shifted, got, want, turned]);
  });

  it('applies contrast then brightness per sample', () => {
    const x = tf.fill([2, 4, 4, 1], 0.5) as tf.Tensor4D;
    const y = applyClassifierAugment(x, [{ ...identity, contrast: 1.2, brightness: -0.1 }, identity], DEFAULT_CLASSIFIER_AUGMENT);
    const v = y.dataSync();
    expect(v[0]).toBeCloseTo(0.5, 6);
    expect(v[16]).toBeCloseTo(0.5, 6);
    expect(v[5]).toBeCloseTo(0.5 * 1.2 - 0.1, 6);
    tf.dispose([x, y]);
  });

  it('draws reproducibly from the seed, within the configured ranges', () => {
    const a = drawClassifierAugment(50, 28, DEFAULT_CLASSIFIER_AUGMENT, mulberry32(3));
    const b = drawClassifierAugment(50, 28, DEFAULT_CLASSIFIER_AUGMENT, mulberry32(3));
    expect(b).toEqual(a);
    for (const p of a) {
      expect(Math.abs(p.tx)).toBeLessThanOrEqual(2.8);
      expect(p.scale).toBeGreaterThanOrEqual(1 / 1.1 - 1e-12);
      expect(p.scale).toBeLessThanOrEqual(1.1 + 1e-12);
      expect(Math.abs(p.angle)).toBeLessThanOrEqual((10 * Math.PI) / 180);
      expect(p.flipY).toBe(false); // vflip 0 by default
    }
    expect(a.some((p) => p.flipX) && a.some((p) => !p.flipX)).toBe(true);
    const off = drawClassifierAugment(5, 28, { ...DEFAULT_CLASSIFIER_AUGMENT, hflip: 0, translate: 0, scale: 0, rotateDeg: 0, brightness: 0, contrast: 0 }, mulberry32(1));
    expect(off.every((p) => p.tx === 0 && p.scale === 1 && p.angle === 0 && !p.flipX && p.contrast === 1)).toBe(true);
  });
});
