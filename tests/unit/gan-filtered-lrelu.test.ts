import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  filteredLrelu,
  filteredLreluOutputSize,
  type FilteredLreluParams,
} from '../../src/models/ops/filtered-lrelu.ts';
import { maxAbsDiff } from './gan-fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Direct upfirdn2d (StyleGAN semantics: zero-insert, pad/crop, true convolution with f x f * gain, subsample). */
function upfirdn2dRef(
  x: Float32Array,
  [n, h, w, c]: [number, number, number, number],
  f: Float32Array,
  up: number,
  down: number,
  pad: { top: number; bottom: number; left: number; right: number },
  gain: number,
): { data: Float32Array; shape: [number, number, number, number] } {
  const k = f.length;
  const hp = h * up + pad.top + pad.bottom;
  const wp = w * up + pad.left + pad.right;
  const at = (b: number, y: number, xx: number, ch: number): number => {
    // Position in the padded, upsampled signal -> source sample (or zero).
    const yu = y - pad.top;
    const xu = xx - pad.left;
    if (yu < 0 || xu < 0 || yu >= h * up || xu >= w * up || yu % up !== 0 || xu % up !== 0) return 0;
    return x[((b * h + yu / up) * w + xu / up) * c + ch] ?? 0;
  };
  const ho = Math.floor((hp - k) / down) + 1;
  const wo = Math.floor((wp - k) / down) + 1;
  const out = new Float32Array(n * ho * wo * c);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let a = 0; a < k; a++)
            for (let bb = 0; bb < k; bb++) {
              const tap = (f[k - 1 - a] ?? 0) * (f[k - 1 - bb] ?? 0) * gain;
              s += tap * at(b, oy * down + a, ox * down + bb, ch);
            }
          out[((b * ho + oy) * wo + ox) * c + ch] = s;
        }
  return { data: out, shape: [n, ho, wo, c] };
}

function filteredLreluRef(x: tf.Tensor4D, bias: tf.Tensor1D, p: FilteredLreluParams): tf.Tensor4D {
  const biased = x.add(bias);
  const up = upfirdn2dRef(biased.dataSync() as Float32Array, biased.shape as [number, number, number, number], p.upFilter, p.up, 1, p.padding, p.up * p.up);
  const act = new Float32Array(up.data.length);
  up.data.forEach((v, i) => {
    let a = (v >= 0 ? v : v * p.slope) * p.gain;
    if (p.clamp !== null) a = Math.min(p.clamp, Math.max(-p.clamp, a));
    act[i] = a;
  });
  const none = { top: 0, bottom: 0, left: 0, right: 0 };
  const down = upfirdn2dRef(act, up.shape, p.downFilter, 1, p.down, none, 1);
  return tf.tensor4d(down.data, down.shape);
}

describe('filteredLrelu (plain tfjs reference)', () => {
  it('with up = down = 1 and identity filters is bias + leaky ReLU * gain (+ clamp)', () => {
    const x = tf.randomNormal([2, 5, 6, 3], 0, 2, 'float32', 1) as tf.Tensor4D;
    const b = tf.tensor1d([0.5, -1, 0.25]);
    const p: FilteredLreluParams = {
      up: 1,
      down: 1,
      upFilter: new Float32Array([1]),
      downFilter: new Float32Array([1]),
      padding: { top: 0, bottom: 0, left: 0, right: 0 },
      gain: Math.SQRT2,
      slope: 0.2,
      clamp: null,
    };
    const expected = tf.leakyRelu(x.add(b), 0.2).mul(Math.SQRT2);
    expect(maxAbsDiff(filteredLrelu(x, b, p), expected)).toBeLessThan(1e-5);
    const clamped = filteredLrelu(x, b, { ...p, clamp: 1 });
    expect(maxAbsDiff(clamped, expected.clipByValue(-1, 1))).toBeLessThan(1e-5);
  });

  it('matches a direct upfirdn2d implementation with up/down 2, asymmetric taps and padding', () => {
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    const p: FilteredLreluParams = {
      up: 2,
      down: 2,
      upFilter: new Float32Array([0.1, 0.4, 0.3, 0.2]),
      downFilter: new Float32Array([0.2, 0.5, 0.3]),
      padding: { top: 2, bottom: 1, left: 3, right: 2 },
      gain: Math.SQRT2,
      slope: 0.2,
      clamp: 0.8,
    };
    const got = filteredLrelu(x, b, p);
    const want = filteredLreluRef(x, b, p);
    expect(got.shape).toEqual(want.shape);
    expect(got.shape[1]).toBe(filteredLreluOutputSize(5, p, 'height'));
    expect(got.shape[2]).toBe(filteredLreluOutputSize(5, p, 'width'));
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
  });

  it('crops on negative padding like upfirdn2d', () => {
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    const b = tf.zeros([2]) as tf.Tensor1D;
    const p: FilteredLreluParams = {
      up: 2,
      down: 1,
      upFilter: new Float32Array([0.25, 0.5, 0.25]),
      downFilter: new Float32Array([1]),
      padding: { top: -2, bottom: -1, left: 1, right: -3 },
      gain: 1,
      slope: 0.2,
      clamp: null,
    };
    expect(maxAbsDiff(filteredLrelu(x, b, p), filteredLreluRef(x, b, p))).toBeLessThan(1e-5);
  });

  it('handles padding wider than the filter (zero-insertion fallback) the same way', () => {
    const x = tf.randomNormal([2, 4, 5, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    const b = tf.tensor1d([0.3, -0.1]);
    const p: FilteredLreluParams = {
      up: 2,
      down: 2,
      upFilter: new Float32Array([0.2, 0.5, 0.3]),
      downFilter: new Float32Array([0.6, 0.4]),
      padding: { top: 4, bottom: 3, left: 0, right: 2 },
      gain: 1,
      slope: 0.2,
      clamp: null,
    };
    expect(maxAbsDiff(filteredLrelu(x, b, p), filteredLreluRef(x, b, p))).toBeLessThan(1e-5);
  });

  it('is differentiable (once) w.r.t. input and bias, without leaking tensors', () => {
    const x = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
    const b = tf.tensor1d([0.1, 0.2]);
    const p: FilteredLreluParams = {
      up: 2,
      down: 2,
      upFilter: new Float32Array([0.125, 0.375, 0.375, 0.125]),
      downFilter: new Float32Array([0.125, 0.375, 0.375, 0.125]),
      padding: { top: 2, bottom: 1, left: 2, right: 1 },
      gain: Math.SQRT2,
      slope: 0.2,
      clamp: 256,
    };
    const before = tf.memory().numTensors;
    const [gx, gb] = tf.grads((a: tf.Tensor, c: tf.Tensor) => filteredLrelu(a as tf.Tensor4D, c as tf.Tensor1D, p).sum())([x, b]);
    expect(gx?.shape).toEqual(x.shape);
    const gbSum = tf.tidy(() => gb?.abs().sum().dataSync()[0] ?? NaN);
    expect(Number.isFinite(gbSum)).toBe(true);
    expect(gbSum).toBeGreaterThan(0);
    gx?.dispose();
    gb?.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
