import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/data/rng.ts';
import { adaUpdate, DEFAULT_ADA, initialAdaState, type AdaConfig } from '../../src/train/ada.ts';
import { applyAugment, augment, DEFAULT_AUGMENT, drawAugmentParams, type SampleAugment } from '../../src/train/augment.ts';
import { maxAbsDiff } from './gan-fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const identity: SampleAugment = {
  transpose: false,
  flipRows: false,
  flipCols: false,
  shiftRows: 0,
  shiftCols: 0,
  scale: 1,
  brightness: 0,
  contrast: 1,
};

const grid3 = (): tf.Tensor4D => tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
const as2d = (t: tf.Tensor4D): number[][] => (t.arraySync()[0] ?? []).map((row) => row.map((v) => v[0] ?? NaN));

describe('augmentation pipe', () => {
  it('is the identity at p = 0 and consumes the same random draws whatever p is', () => {
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const r0 = mulberry32(5);
    const r1 = mulberry32(5);
    expect(augment(x, 0, r0)).toBe(x);
    tf.dispose(augment(x, 1, r1));
    expect(r0()).toBe(r1());
  });

  it('rotates by quarter turns and flips exactly', () => {
    // One counter-clockwise quarter turn = transpose, then flip rows.
    const ccw = applyAugment(grid3(), [{ ...identity, transpose: true, flipRows: true }]);
    expect(as2d(ccw)).toEqual([
      [3, 6, 9],
      [2, 5, 8],
      [1, 4, 7],
    ]);
    const flipped = applyAugment(grid3(), [{ ...identity, flipCols: true }]);
    expect(as2d(flipped)).toEqual([
      [3, 2, 1],
      [6, 5, 4],
      [9, 8, 7],
    ]);
  });

  it('translates by whole pixels with reflection at the border', () => {
    const shifted = applyAugment(grid3(), [{ ...identity, shiftCols: 1 }]);
    expect(as2d(shifted)).toEqual([
      [2, 1, 2],
      [5, 4, 5],
      [8, 7, 8],
    ]);
  });

  it('scales with interpolation weights summing to one, then applies brightness and contrast', () => {
    const flat = tf.fill([1, 6, 6, 1], 0.5) as tf.Tensor4D;
    const scaled = applyAugment(flat, [{ ...identity, scale: 1.37 }]);
    expect(maxAbsDiff(scaled, flat)).toBeLessThan(1e-6);
    const colour = applyAugment(flat, [{ ...identity, brightness: 0.1, contrast: 2 }]);
    expect(maxAbsDiff(colour, tf.fill([1, 6, 6, 1], 1.2))).toBeLessThan(1e-6);
  });

  it('applies each transform to about p of the samples, per sample', () => {
    const params = drawAugmentParams(4000, 32, 0.3, DEFAULT_AUGMENT, mulberry32(3));
    const frac = (f: (s: SampleAugment) => boolean): number => params.filter(f).length / params.length;
    expect(frac((s) => s.brightness !== 0)).toBeCloseTo(0.3, 1);
    expect(frac((s) => s.contrast !== 1)).toBeCloseTo(0.3, 1);
    expect(frac((s) => s.scale !== 1)).toBeCloseTo(0.3, 1);
    expect(frac((s) => s.transpose)).toBeCloseTo(0.15, 1); // odd quarter turns: half of the rotations
    expect(Math.max(...params.map((s) => Math.abs(s.shiftCols)))).toBeLessThanOrEqual(4);
  });

  it('passes gradients back to the images', () => {
    const x = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const params = drawAugmentParams(3, 8, 1, DEFAULT_AUGMENT, mulberry32(4));
    const g = tf.grad((a: tf.Tensor) => applyAugment(a as tf.Tensor4D, params).sum())(x);
    expect(g.shape).toEqual(x.shape);
    const total = g.sum().dataSync()[0] ?? NaN;
    expect(Number.isFinite(total) && Math.abs(total) > 0).toBe(true);
  });
});

describe('ADA controller', () => {
  const cfg: AdaConfig = { ...DEFAULT_ADA, interval: 4, kimg: 1 };

  it('moves p toward the target only every interval steps, by batch*interval/(kimg*1000)', () => {
    let s = initialAdaState(cfg);
    s = adaUpdate(cfg, s, 0.9, 16, 0); // step 0 adjusts (StyleGAN: batch_idx % interval == 0)
    expect(s.p).toBeCloseTo((16 * 4) / 1000, 10);
    for (const step of [1, 2, 3]) s = adaUpdate(cfg, s, 1, 16, step);
    expect(s.p).toBeCloseTo(0.064, 10);
    s = adaUpdate(cfg, s, -1, 16, 4); // mean over steps 1-4 = 0.5 < 0.6: down
    expect(s.p).toBeCloseTo(0, 10);
    s = adaUpdate(cfg, s, -1, 16, 8);
    expect(s.p).toBe(0); // clamped
  });

  it('can take p from 0 to 1 in kimg thousand images, and stays put when not adaptive', () => {
    let s = initialAdaState(cfg);
    const batch = 10;
    const steps = (cfg.kimg * 1000) / batch;
    for (let step = 0; step < steps; step++) s = adaUpdate(cfg, s, 1, batch, step);
    expect(s.p).toBeCloseTo(1, 6);
    const fixed = { ...cfg, adaptive: false, initialP: 0.2 };
    expect(adaUpdate(fixed, initialAdaState(fixed), 1, batch, 0).p).toBe(0.2);
  });
});
