// The segmenter's optimisation settings: the poly learning-rate schedule (t-vMF U-Net) and AdamW (VM-UNet),
// plus SGD with momentum 0.9 and weight decay 1e-4 as torch.optim.SGD does it.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_POLY_SCHEDULE, LrScheduler, scheduledLearningRate } from '../../src/train/lr-schedule.ts';
import { DEFAULT_ADAMW, ScheduledOptimizer, SEG_SGD } from '../../src/train/scheduled-optimizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('poly schedule', () => {
  it('is base * (1 - epoch / total)^power, per fractional epoch, reaching 0 at the end', () => {
    const s = DEFAULT_POLY_SCHEDULE;
    expect(s).toEqual({ kind: 'poly', power: 0.9 });
    expect(scheduledLearningRate(s, 0.01, 0, 10)).toBe(0.01);
    expect(scheduledLearningRate(s, 0.01, 5, 10)).toBeCloseTo(0.01 * 0.5 ** 0.9, 15);
    expect(scheduledLearningRate(s, 0.01, 2.5, 10)).toBeCloseTo(0.01 * 0.75 ** 0.9, 15);
    expect(scheduledLearningRate(s, 0.01, 10, 10)).toBe(0);
    expect(scheduledLearningRate(s, 0.01, 12, 10)).toBe(0); // clamped past the end
    expect(scheduledLearningRate({ kind: 'poly', power: 1 }, 1, 3, 4)).toBeCloseTo(0.25, 15);
    // The authors' form, lr = 0.01 (1 - it / maxiter)^0.9, with it / maxiter = epoch / total.
    const sch = new LrScheduler(s, 0.01, 200);
    expect(sch.rateAt(200 * (1000 / 4000))).toBeCloseTo(0.01 * (1 - 1000 / 4000) ** 0.9, 15);
    sch.epochEnd(0.5); // stateless: a validation score changes nothing
    expect(sch.rateAt(0)).toBe(0.01);
    expect(() => new LrScheduler({ kind: 'poly', power: -1 }, 0.01, 10)).toThrow(/poly power/);
  });
});

describe('optimizers for segmentation', () => {
  /** Three steps on f(a, b) = sum((a - 1)^2) + sum(b^2); returns the final values. */
  function run(opt: (vars: tf.Variable[]) => ScheduledOptimizer, lrs: number[]): number[] {
    const a = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.1]]));
    const b = tf.variable(tf.tensor1d([0.3, -0.7]));
    const o = opt([a, b]);
    for (const lr of lrs) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(tf.sub(a, 1))), tf.sum(tf.square(b))) as tf.Scalar, [a, b]);
        o.apply([grads[a.name]!, grads[b.name]!], lr);
      });
    }
    const out = [...a.dataSync(), ...b.dataSync()];
    tf.dispose([a, b]);
    o.dispose();
    return out;
  }

  it('AdamW decays rank >= 2 weights by lr * wd before the Adam step (PyTorch order), biases not at all', () => {
    const lrs = [0.1, 0.05, 0.02];
    const got = run((v) => new ScheduledOptimizer({ ...DEFAULT_ADAMW, weightDecay: 0.1 } as typeof DEFAULT_ADAMW, v), lrs);
    // Float64 reference of torch.optim.AdamW for each scalar (b1 0.9, b2 0.999, eps 1e-8).
    const ref = (p0: number, target: number, decay: boolean): number => {
      let p = p0;
      let m = 0;
      let v = 0;
      lrs.forEach((lr, i) => {
        const t = i + 1;
        const g = 2 * (p - target);
        if (decay) p *= 1 - lr * 0.1;
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        p -= (lr * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
      });
      return p;
    };
    const want = [ref(0.5, 1, true), ref(-1, 1, true), ref(2, 1, true), ref(0.1, 1, true), ref(0.3, 0, false), ref(-0.7, 0, false)];
    got.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
    expect(DEFAULT_ADAMW).toMatchObject({ kind: 'adamw', epsilon: 1e-8, weightDecay: 1e-2 });
  });

  it("SEG_SGD is torch.optim.SGD(momentum=0.9, weight_decay=1e-4): L2 in the gradient, heavy-ball momentum", () => {
    expect(SEG_SGD).toEqual({ kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4 });
    const lrs = [0.01, 0.01, 0.005];
    const got = run((v) => new ScheduledOptimizer(SEG_SGD, v), lrs);
    const ref = (p0: number, target: number, decay: boolean): number => {
      let p = p0;
      let buf = 0;
      for (const lr of lrs) {
        const g = 2 * (p - target) + (decay ? 1e-4 * p : 0);
        buf = 0.9 * buf + g;
        p -= lr * buf;
      }
      return p;
    };
    const want = [ref(0.5, 1, true), ref(-1, 1, true), ref(2, 1, true), ref(0.1, 1, true), ref(0.3, 0, false), ref(-0.7, 0, false)];
    got.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 6));
  });
});
