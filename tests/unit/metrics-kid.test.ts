import { describe, expect, it } from 'vitest';
import { kernelInceptionDistance } from '../../src/metrics/kid.ts';
import { gaussian, mulberry32 } from '../../src/data/rng.ts';

function normals(n: number, d: number, seed: number, shift = 0): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n * d }, () => gaussian(rand) + shift);
}

/** The unbiased MMD^2 with the cubic kernel over whole sets, written directly from the definition. */
function mmdDirect(x: Float32Array, y: Float32Array, d: number): number {
  const m = x.length / d;
  const k = (a: Float32Array, i: number, b: Float32Array, j: number): number => {
    let s = 0;
    for (let t = 0; t < d; t++) s += (a[i * d + t] as number) * (b[j * d + t] as number);
    return (s / d + 1) ** 3;
  };
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) {
        xx += k(x, i, x, j);
        yy += k(y, i, y, j);
      }
      xy += k(x, i, y, j);
    }
  }
  return xx / (m * (m - 1)) + yy / (m * (m - 1)) - (2 * xy) / (m * m);
}

describe('KID', () => {
  const d = 16;

  it('equals the direct unbiased MMD^2 when the one subset is the whole set', () => {
    const x = normals(40, d, 1);
    const y = normals(40, d, 2, 0.3);
    const r = kernelInceptionDistance(x, y, d, { subsets: 1 });
    expect(r.subsetSize).toBe(40);
    expect(r.kid).toBeCloseTo(mmdDirect(x, y, d), 5);
    expect(r.kidStd).toBe(0);
  });

  it('is near 0 for two samples of one distribution and clearly positive for shifted ones', () => {
    const x = normals(400, d, 3);
    const same = kernelInceptionDistance(x, normals(400, d, 4), d, { subsetSize: 200, seed: 1 });
    const shifted = kernelInceptionDistance(x, normals(400, d, 5, 0.5), d, { subsetSize: 200, seed: 1 });
    expect(Math.abs(same.kid)).toBeLessThan(0.05);
    expect(Math.abs(same.kid)).toBeLessThan(3 * same.kidStd + 1e-3);
    expect(shifted.kid).toBeGreaterThan(0.5);
    expect(shifted.kid).toBeGreaterThan(10 * Math.abs(same.kid));
    expect(same.kidStd).toBeGreaterThan(0);
    expect(shifted.kidStd).toBeGreaterThan(0);
    expect(shifted).toMatchObject({ subsets: 100, subsetSize: 200, nReal: 400, nFake: 400 });
  });

  it('is deterministic under a seed, varies across seeds, and the cached and uncached paths agree', () => {
    const x = normals(120, d, 6);
    const y = normals(90, d, 7, 0.2);
    const opts = { subsets: 20, subsetSize: 50, seed: 42 };
    const a = kernelInceptionDistance(x, y, d, opts);
    const b = kernelInceptionDistance(x, y, d, opts);
    expect(b).toEqual(a);
    expect(kernelInceptionDistance(x, y, d, { ...opts, seed: 43 }).kid).not.toBe(a.kid);
    const uncached = kernelInceptionDistance(x, y, d, { ...opts, maxCachedEntries: 0 });
    expect(uncached.kid).toBeCloseTo(a.kid, 5);
    expect(uncached.kidStd).toBeCloseTo(a.kidStd, 5);
  });

  it('defaults to 100 subsets of min(1000, nReal, nFake) and rejects impossible subset sizes', () => {
    const r = kernelInceptionDistance(normals(30, d, 8), normals(25, d, 9), d, { subsets: 3 });
    expect(r.subsetSize).toBe(25);
    expect(kernelInceptionDistance(normals(5, 2, 1), normals(5, 2, 2), 2).subsets).toBe(100);
    expect(() => kernelInceptionDistance(normals(30, d, 8), normals(25, d, 9), d, { subsetSize: 26 })).toThrow();
    expect(() => kernelInceptionDistance(normals(1, d, 8), normals(25, d, 9), d)).toThrow();
  });
});
