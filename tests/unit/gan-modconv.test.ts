import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { demodulationCoefficients, modulatedConv } from '../../src/models/ops/modulated-conv.ts';
import { maxAbsDiff } from './gan-fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** StyleGAN's fused form: per sample, weights W * s (then * rsqrt(sum (W s)^2) per output), then * gain. */
function explicitPerSample(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  s: tf.Tensor2D,
  demodulate: boolean,
  padding: number,
  gain = 1,
): tf.Tensor4D {
  return tf.tidy(() => {
    const outs: tf.Tensor4D[] = [];
    const [kh, kw, cin, cout] = w.shape;
    for (let n = 0; n < x.shape[0]; n++) {
      let wn = w.mul(s.slice([n, 0], [1, cin]).reshape([1, 1, cin, 1])) as tf.Tensor4D;
      if (demodulate) wn = wn.mul(wn.square().sum([0, 1, 2], true).add(1e-8).rsqrt()) as tf.Tensor4D;
      wn = wn.mul(gain) as tf.Tensor4D;
      const xn = x.slice([n, 0, 0, 0], [1, ...x.shape.slice(1)] as [number, number, number, number]);
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [padding, padding],
        [padding, padding],
        [0, 0],
      ];
      outs.push(tf.conv2d(xn, wn.reshape([kh, kw, cin, cout]) as tf.Tensor4D, 1, padding === 0 ? 'valid' : pad));
    }
    return tf.concat(outs, 0);
  });
}

describe('modulatedConv (non-fused x*s -> conv -> *dcoef)', () => {
  const x = tf.randomNormal([3, 6, 5, 4], 0, 1, 'float32', 11) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 12) as tf.Tensor4D;
  const s = tf.randomNormal([3, 4], 1, 0.5, 'float32', 13) as tf.Tensor2D;

  it('equals a per-sample convolution with modulated and demodulated weights', () => {
    const got = modulatedConv(x, w, s, { demodulate: true, padding: 2 });
    const want = explicitPerSample(x, w, s, true, 2);
    expect(got.shape).toEqual([3, 8, 7, 5]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
  });

  it('supports the no-demodulation (ToRGB) form and an input gain applied after demodulation', () => {
    const noDemod = modulatedConv(x, w, s, { demodulate: false, padding: 0 });
    expect(maxAbsDiff(noDemod, explicitPerSample(x, w, s, false, 0))).toBeLessThan(1e-4);
    const gained = modulatedConv(x, w, s, { demodulate: true, padding: 1, inputGain: tf.scalar(0.3) });
    expect(maxAbsDiff(gained, explicitPerSample(x, w, s, true, 1, 0.3))).toBeLessThan(1e-4);
  });

  it('computes dcoef as rsqrt(s^2 @ sum_k W^2 + eps)', () => {
    const d = demodulationCoefficients(w, s);
    const want = tf.tidy(() => {
      const rows: tf.Tensor[] = [];
      for (let n = 0; n < 3; n++) {
        const wn = w.mul(s.slice([n, 0], [1, 4]).reshape([1, 1, 4, 1]));
        rows.push(wn.square().sum([0, 1, 2]).add(1e-8).rsqrt());
      }
      return tf.stack(rows);
    });
    expect(d.shape).toEqual([3, 5]);
    expect(maxAbsDiff(d, want)).toBeLessThan(1e-5);
  });

  it('demodulated outputs have unit variance per output channel for unit-variance inputs', () => {
    const big = tf.randomNormal([4, 24, 24, 16], 0, 1, 'float32', 14) as tf.Tensor4D;
    const wb = tf.randomNormal([3, 3, 16, 8], 0, 1, 'float32', 15) as tf.Tensor4D;
    const sb = tf.randomUniform([4, 16], 0.2, 3, 'float32', 16) as tf.Tensor2D;
    const y = modulatedConv(big, wb, sb, { demodulate: true, padding: 0 });
    const variance = tf.moments(y).variance.dataSync()[0] ?? NaN;
    expect(variance).toBeGreaterThan(0.8);
    expect(variance).toBeLessThan(1.2);
  });
});
