import { describe, expect, it } from 'vitest';
import { findNearestReal, nearCopyThreshold } from '../../src/metrics/memorisation.ts';
import { gaussian, mulberry32 } from '../../src/data/rng.ts';

function normals(n: number, width: number, seed: number, scale = 1): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n * width }, () => Math.max(-1, Math.min(1, scale * gaussian(rand))));
}

const D = 32;
const P = 16 * 16;

describe('memorisation', () => {
  it('derives the threshold as a quantile of held-out-to-train nearest distances', () => {
    // 1-D features make the nearest distances easy to read: train at 0, 10, 20; held out at 1, 12, 24, 30.
    const train = Float32Array.from([0, 10, 20]);
    const held = Float32Array.from([1, 12, 24, 30]);
    const t = nearCopyThreshold(train, held, 1, 0);
    expect(Array.from(t.heldOutNearest)).toEqual([1, 2, 4, 10]);
    expect(t.threshold).toBe(1);
    // 50 %: position 1.5 between 2 and 4.
    expect(nearCopyThreshold(train, held, 1, 0.5).threshold).toBe(3);
    expect(nearCopyThreshold(train, held, 1, 1).threshold).toBe(10);
    expect(t).toMatchObject({ nTrain: 3, nHeldOut: 4, quantile: 0 });
  });

  it('finds an exact copy of real image 7 and does not flag clearly different fakes', () => {
    const nReal = 20;
    const realFeatures = normals(nReal, D, 1);
    const realPixels = normals(nReal, P, 2, 0.5);
    const heldOut = normals(10, D, 3);
    const { threshold } = nearCopyThreshold(realFeatures, heldOut, D);
    expect(threshold).toBeGreaterThan(0);

    // Fake 0: a copy of real 7. Fakes 1-3: new random images and features (as different as two reals are).
    // Fake 4: far from everything (features shifted by 5, pixels constant).
    const nFake = 5;
    const fakeFeatures = new Float32Array(nFake * D);
    const fakePixels = new Float32Array(nFake * P);
    fakeFeatures.set(realFeatures.subarray(7 * D, 8 * D), 0);
    fakePixels.set(realPixels.subarray(7 * P, 8 * P), 0);
    fakeFeatures.set(normals(3, D, 4), D);
    fakePixels.set(normals(3, P, 5, 0.5), P);
    fakeFeatures.fill(5, 4 * D);
    fakePixels.fill(0.9, 4 * P);

    const report = findNearestReal({ realFeatures, fakeFeatures, dim: D, realPixels, fakePixels }, threshold);
    const copy = report.samples[0];
    expect(copy?.nearestFeature).toEqual({ index: 7, distance: 0 });
    expect(copy?.nearestPixel).toEqual({ index: 7, distance: 0 });
    expect(report.nearCopies).toBe(1);
    expect(report.nearCopyRate).toBeCloseTo(1 / 5, 12);
    for (const s of report.samples.slice(1)) {
      expect(s.nearestFeature.distance).toBeGreaterThan(threshold);
      expect(s.nearestPixel.distance).toBeGreaterThan(0.1);
    }
    expect(report.samples.map((s) => s.fakeIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(report).toMatchObject({ nReal, nFake, threshold });
  });

  it('matches a brute-force search (the early exit changes nothing)', () => {
    const realPixels = normals(30, P, 6, 0.6);
    const fakePixels = normals(8, P, 7, 0.6);
    const realFeatures = normals(30, D, 8);
    const fakeFeatures = normals(8, D, 9);
    const report = findNearestReal({ realFeatures, fakeFeatures, dim: D, realPixels, fakePixels }, 0);
    for (let f = 0; f < 8; f++) {
      let bestPix = { index: -1, distance: Infinity };
      let bestFeat = { index: -1, distance: Infinity };
      for (let r = 0; r < 30; r++) {
        let l1 = 0;
        for (let k = 0; k < P; k++) l1 += Math.abs((fakePixels[f * P + k] as number) - (realPixels[r * P + k] as number));
        if (l1 / P < bestPix.distance) bestPix = { index: r, distance: l1 / P };
        let l2 = 0;
        for (let k = 0; k < D; k++) l2 += ((fakeFeatures[f * D + k] as number) - (realFeatures[r * D + k] as number)) ** 2;
        if (Math.sqrt(l2) < bestFeat.distance) bestFeat = { index: r, distance: Math.sqrt(l2) };
      }
      const s = report.samples[f];
      expect(s?.nearestPixel.index).toBe(bestPix.index);
      expect(s?.nearestPixel.distance).toBeCloseTo(bestPix.distance, 10);
      expect(s?.nearestFeature.index).toBe(bestFeat.index);
      expect(s?.nearestFeature.distance).toBeCloseTo(bestFeat.distance, 10);
    }
    expect(report.nearCopies).toBe(0);
  });

  it('rejects mismatched inputs', () => {
    const f = normals(4, D, 1);
    expect(() => findNearestReal({ realFeatures: f, fakeFeatures: f, dim: D, realPixels: new Float32Array(4 * P), fakePixels: new Float32Array(3 * P) }, 1)).toThrow();
    expect(() => nearCopyThreshold(f, new Float32Array(0), D)).toThrow();
  });
});
