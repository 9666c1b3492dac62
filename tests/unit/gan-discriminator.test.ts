import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Discriminator } from '../../src/models/discriminator.ts';
import { BLUR_TAPS, downsampleConv, foldFirIntoKernel } from '../../src/models/ops/fir-conv.ts';
import { minibatchStddev } from '../../src/models/ops/minibatch-stddev.ts';
import { fakeRealBatch, maxAbsDiff, tinyDiscriminator } from './gan-fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Blur each channel with taps (x) taps (depthwise), then a strided valid convolution. */
function blurThenConv(x: tf.Tensor4D, kernel: tf.Tensor4D, blurPad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const c = x.shape[3];
    const t = BLUR_TAPS.length;
    const f2 = new Float32Array(t * t * c);
    for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) for (let ch = 0; ch < c; ch++) f2[(i * t + j) * c + ch] = (BLUR_TAPS[i] ?? 0) * (BLUR_TAPS[j] ?? 0);
    const blurred = tf.depthwiseConv2d(x, tf.tensor4d(f2, [t, t, c, 1]), 1, [
      [0, 0],
      [blurPad, blurPad],
      [blurPad, blurPad],
      [0, 0],
    ]);
    return tf.conv2d(blurred, kernel, 2, 'valid');
  });
}

describe('FIR folded into strided convolutions', () => {
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 21) as tf.Tensor4D;

  it('3x3 down-conv equals StyleGAN2 blur(pad 2) then 3x3 stride 2', () => {
    const k = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 22) as tf.Tensor4D;
    expect(foldFirIntoKernel(k, BLUR_TAPS).shape).toEqual([6, 6, 3, 4]);
    const got = downsampleConv(x, k);
    expect(got.shape).toEqual([2, 4, 4, 4]);
    expect(maxAbsDiff(got, blurThenConv(x, k, 2))).toBeLessThan(1e-5);
  });

  it('1x1 skip equals blur(pad 1) then stride-2 sampling and 1x1', () => {
    const k = tf.randomNormal([1, 1, 3, 5], 0, 1, 'float32', 23) as tf.Tensor4D;
    const got = downsampleConv(x, k);
    expect(got.shape).toEqual([2, 4, 4, 5]);
    expect(maxAbsDiff(got, blurThenConv(x, k, 1))).toBeLessThan(1e-5);
  });
});

describe('minibatch stddev', () => {
  it('appends the mean over features of the std across each group', () => {
    const x = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 24) as tf.Tensor4D;
    const y = minibatchStddev(x, 2, 1);
    expect(y.shape).toEqual([4, 3, 3, 3]);
    // Groups are {0, 2} and {1, 3} (group index varies slowest).
    const v = x.arraySync();
    const groupStat = (a: number, b: number): number => {
      let s = 0;
      let count = 0;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          for (let c = 0; c < 2; c++) {
            const p = v[a]![i]![j]![c]!;
            const q = v[b]![i]![j]![c]!;
            const mean = (p + q) / 2;
            s += Math.sqrt(((p - mean) ** 2 + (q - mean) ** 2) / 2 + 1e-8);
            count++;
          }
      return s / count;
    };
    const out = y.arraySync();
    const expected = [groupStat(0, 2), groupStat(1, 3), groupStat(0, 2), groupStat(1, 3)];
    expected.forEach((e, n) => {
      expect(out[n]![1]![2]![2]).toBeCloseTo(e, 5);
      expect(out[n]![0]![0]![2]).toBeCloseTo(e, 5);
    });
    expect(maxAbsDiff(y.slice([0, 0, 0, 0], [4, 3, 3, 2]), x)).toBe(0);
  });
});

describe('Discriminator', () => {
  it.each([
    [32, 1],
    [64, 3],
  ] as const)('maps %ipx x %i images to one logit each and trains every weight', (res, ch) => {
    const d = new Discriminator(tinyDiscriminator(res, ch));
    const x = fakeRealBatch(4, res, ch);
    const before = tf.memory().numTensors;
    const logits = d.forward(x);
    expect(logits.shape).toEqual([4]);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const { value, grads } = tf.variableGrads(() => d.forward(x).mean() as tf.Scalar, d.trainableVariables());
    for (const [key, v] of Object.entries(d.params.trainable)) {
      const g = grads[v.name];
      expect(g, key).toBeDefined();
      expect(Number.isFinite(tf.tidy(() => g?.abs().sum().dataSync()[0] ?? NaN)), key).toBe(true);
    }
    tf.dispose([value, grads, x]);
    d.dispose();
  });
});
