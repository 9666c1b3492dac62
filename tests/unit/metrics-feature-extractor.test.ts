import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FeatureExtractor, restoreFeatureExtractor, trainFeatureExtractor } from '../../src/metrics/feature-extractor.ts';
import { frechetDistance } from '../../src/metrics/frechet.ts';
import { gaussian, mulberry32 } from '../../src/data/rng.ts';

/**
 * A tiny 2-class problem: a disc on a noisy dark background, dim (class 0) or bright (class 1), with random
 * centre and radius. Returns images in [-1, 1], [n, size, size, 1].
 */
function discs(n: number, size: number, seed: number): { images: Float32Array; labels: Int32Array } {
  const rand = mulberry32(seed);
  const images = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    labels[i] = label;
    const cx = size * (0.3 + 0.4 * rand());
    const cy = size * (0.3 + 0.4 * rand());
    const r = size * (0.12 + 0.12 * rand());
    const level = label === 1 ? 0.7 + 0.2 * rand() : -0.1 + 0.2 * rand();
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r;
        const v = (inside ? level : -0.8) + 0.1 * gaussian(rand);
        images[i * size * size + y * size + x] = Math.max(-1, Math.min(1, v));
      }
    }
  }
  return { images, labels };
}

/** Single class, but with an orientation: a bright bar near the top edge and a disc below it. */
function oriented(n: number, size: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n * size * size).fill(-0.8);
  for (let i = 0; i < n; i++) {
    const top = Math.floor(2 + 3 * rand());
    const cx = size * (0.35 + 0.3 * rand());
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const bar = y >= top && y < top + 3 && x > 4 && x < size - 4;
        const disc = (x - cx) ** 2 + (y - size * 0.65) ** 2 <= (size * 0.15) ** 2;
        out[i * size * size + y * size + x] = bar ? 0.9 : disc ? 0.3 : -0.8 + 0.1 * gaussian(rand);
      }
    }
  }
  return out;
}

const SIZE = 32;

describe('feature extractor', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('trains on a tiny 2-class problem to well above chance, embeddings separate the classes, no leaks', async () => {
    const before = tf.memory().numTensors;
    const train = discs(96, SIZE, 1);
    const test = discs(64, SIZE, 2);
    const xTrain = tf.tensor4d(train.images, [96, SIZE, SIZE, 1]);
    const xTest = tf.tensor4d(test.images, [64, SIZE, SIZE, 1]);
    const losses: number[] = [];
    const t0 = performance.now();
    const fx = await trainFeatureExtractor(xTrain, train.labels, 2, {
      epochs: 4,
      batchSize: 16,
      seed: 7,
      lr: 3e-3,
      onEpoch: (r) => {
        losses.push(r.loss);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`extractor: ${fx.parameterCount()} params, trained in ${seconds.toFixed(1)} s; losses ${losses.map((l) => l.toFixed(3)).join(' ')}; ${fx.describe()}`);
    expect(losses).toHaveLength(4);
    expect(fx.info?.nImages).toBe(96);
    expect(fx.describe()).toContain('128-d');

    const predicted = tf.tidy(() => tf.argMax(fx.logits(xTest), 1));
    const pred = await predicted.data();
    predicted.dispose();
    let correct = 0;
    pred.forEach((p, i) => (correct += p === test.labels[i] ? 1 : 0));
    const accuracy = correct / 64;
    console.log(`held-out accuracy ${accuracy}`);
    expect(accuracy).toBeGreaterThan(0.85);

    // Embeddings separate the classes: nearest-centroid accuracy on held-out, and FD between classes far
    // above FD between two halves of one class.
    const n0 = tf.memory().numTensors;
    const emb = await fx.embedToArray(xTest);
    expect(tf.memory().numTensors).toBe(n0);
    const d = fx.dim;
    const byClass = (c: number, part?: number): Float32Array => {
      const rows: number[] = [];
      test.labels.forEach((l, i) => {
        if (l === c) rows.push(i);
      });
      const pick = part === undefined ? rows : rows.filter((_, k) => k % 2 === part);
      const out = new Float32Array(pick.length * d);
      pick.forEach((r, k) => out.set(emb.subarray(r * d, (r + 1) * d), k * d));
      return out;
    };
    const between = frechetDistance(byClass(0), byClass(1), d);
    const within = frechetDistance(byClass(0, 0), byClass(0, 1), d);
    console.log(`FD between classes ${between.toFixed(3)}, within class 0 ${within.toFixed(3)}`);
    expect(between).toBeGreaterThan(3 * within);

    fx.dispose();
    xTrain.dispose();
    xTest.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic for a seed, differs across seeds, and round-trips its weights exactly', async () => {
    const before = tf.memory().numTensors;
    const data = discs(24, SIZE, 3);
    const x = tf.tensor4d(data.images, [24, SIZE, SIZE, 1]);
    const opts = { epochs: 1, batchSize: 8, seed: 11, lr: 1e-3 };
    const a = await trainFeatureExtractor(x, data.labels, 2, opts);
    const b = await trainFeatureExtractor(x, data.labels, 2, opts);
    const c = await trainFeatureExtractor(x, data.labels, 2, { ...opts, seed: 12 });
    const wa = await a.getWeights();
    const wb = await b.getWeights();
    const wc = await c.getWeights();
    expect(Object.keys(wa).length).toBe(4 * 3 + 2);
    for (const key of Object.keys(wa)) expect(wb[key]?.values).toEqual(wa[key]?.values);
    expect(wc['block0.conv.weight']?.values).not.toEqual(wa['block0.conv.weight']?.values);

    // Round trip into a fresh extractor with a different init.
    const fresh = new FeatureExtractor(a.config, 999);
    fresh.setWeights(wa);
    const wf = await fresh.getWeights();
    for (const key of Object.keys(wa)) {
      expect(wf[key]?.shape).toEqual(wa[key]?.shape);
      expect(wf[key]?.values).toEqual(wa[key]?.values);
    }
    const ea = await a.embedToArray(x);
    const ef = await fresh.embedToArray(x);
    expect(ef).toEqual(ea);
    expect(() => fresh.setWeights({})).toThrow(/missing/);
    const restored = restoreFeatureExtractor(a.config, wa, a.info);
    expect(await restored.embedToArray(x)).toEqual(ea);
    expect(restored.describe()).toBe(a.describe());
    restored.dispose();

    // embed() of a set larger than its internal batch: same rows as one-by-one, no leaks.
    const big = tf.tile(x, [12, 1, 1, 1]) as tf.Tensor4D; // 288 > 256 rows
    const n0 = tf.memory().numTensors;
    const eb = a.embed(big);
    expect(eb.shape).toEqual([288, a.dim]);
    const ebv = await eb.data();
    eb.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    expect(Array.from(ebv.subarray(264 * a.dim, 265 * a.dim))).toEqual(Array.from(ea.subarray(0, a.dim)));
    big.dispose();

    for (const m of [a, b, c, fresh]) m.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a single-class set on rotation prediction', async () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(oriented(48, SIZE, 5), [48, SIZE, SIZE, 1]);
    const accs: number[] = [];
    const fx = await trainFeatureExtractor(x, new Uint8Array(48), 1, {
      epochs: 3,
      batchSize: 16,
      seed: 3,
      lr: 3e-3,
      onEpoch: (r) => {
        accs.push(r.accuracy);
      },
    });
    console.log(`rotation task accuracy per epoch ${accs.map((a) => a.toFixed(2)).join(' ')}`);
    expect(fx.config.task).toBe('rotation');
    expect(fx.config.headClasses).toBe(4);
    expect(fx.describe()).toContain('rotation');
    expect(accs.at(-1)).toBeGreaterThan(0.4); // chance is 0.25
    fx.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
