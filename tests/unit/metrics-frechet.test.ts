import { describe, expect, it } from 'vitest';
import { frechetDistance, frechetFromStats, gaussianStats, sqrtPsd, symmetricEigen, type GaussianStats } from '../../src/metrics/frechet.ts';
import { gaussian, mulberry32 } from '../../src/data/rng.ts';

/** n x d samples: independent normals, then mixed by `mix` (d x d, row-major) and shifted by `shift`. */
function samples(n: number, d: number, seed: number, shift = 0, mix?: number[]): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = gaussian(rand);
    for (let j = 0; j < d; j++) {
      let v = 0;
      if (mix) for (let k = 0; k < d; k++) v += (mix[j * d + k] ?? 0) * (z[k] as number);
      else v = z[j] as number;
      out[i * d + j] = v + shift;
    }
  }
  return out;
}

function stats(mean: number[], cov: number[]): GaussianStats {
  return { n: 100, dim: mean.length, mean: Float64Array.from(mean), cov: Float64Array.from(cov) };
}

function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] = (out[i * n + j] as number) + (a[i * n + k] as number) * (b[k * n + j] as number);
  return out;
}

describe('matrix square root', () => {
  it('squares back to the input and has the right eigenvalues', () => {
    const d = 12;
    const x = samples(200, d, 1, 0, Array.from({ length: d * d }, (_, i) => ((i * 7919) % 13) / 13 - 0.4));
    const { cov } = gaussianStats(x, d);
    const root = sqrtPsd(cov, d);
    const back = matMul(root, root, d);
    for (let i = 0; i < d * d; i++) expect(back[i]).toBeCloseTo(cov[i] as number, 10);
    // A known spectrum: [[2, 1], [1, 2]] has eigenvalues 1 and 3.
    const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(values).sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
  });

  it('handles a singular PSD matrix (rank 1)', () => {
    const v = [1, 2, 3];
    const m = Float64Array.from({ length: 9 }, (_, i) => (v[Math.floor(i / 3)] as number) * (v[i % 3] as number));
    const root = sqrtPsd(m, 3);
    const back = matMul(root, root, 3);
    for (let i = 0; i < 9; i++) expect(back[i]).toBeCloseTo(m[i] as number, 10);
  });
});

describe('Fréchet distance', () => {
  it('is 0 for identical sets', () => {
    const a = samples(300, 16, 2);
    expect(frechetDistance(a, a, 16)).toBeCloseTo(0, 8);
  });

  it('matches the 1-D closed form (m1 - m2)^2 + (s1 - s2)^2 on sample statistics', () => {
    // a: mean 1, unbiased variance 2. b: mean 5, unbiased variance 4.
    const a = Float32Array.from([0, 2]);
    const b = Float32Array.from([3, 7, 5]);
    expect(frechetDistance(a, b, 1)).toBeCloseTo(16 + (Math.SQRT2 - 2) ** 2, 10);
  });

  it('matches the diagonal closed form sum (m1i - m2i)^2 + (sqrt(a_i) - sqrt(b_i))^2', () => {
    const s1 = stats([0, 1, 2], [4, 0, 0, 0, 1, 0, 0, 0, 9]);
    const s2 = stats([1, 1, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const expected = 1 + 0 + 4 + (2 - 1) ** 2 + 0 + (3 - 1) ** 2;
    expect(frechetFromStats(s1, s2)).toBeCloseTo(expected, 10);
  });

  it('matches a non-commuting 2x2 case computed by hand', () => {
    // S1 = diag(1, 4), S2 = [[2, 1], [1, 2]]. S1 S2 = [[2, 1], [4, 8]]: trace 10, det 12. For a 2x2 matrix
    // with positive eigenvalues, Tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)) = sqrt(10 + 4 sqrt 3).
    // FD = (mean term 1^2 + 2^2 = 5) + tr S1 + tr S2 - 2 sqrt(10 + 4 sqrt 3) = 5 + 5 + 4 - 2 sqrt(10 + 4 sqrt 3).
    const s1 = stats([0, 0], [1, 0, 0, 4]);
    const s2 = stats([1, 2], [2, 1, 1, 2]);
    const expected = 14 - 2 * Math.sqrt(10 + 4 * Math.sqrt(3));
    expect(frechetFromStats(s1, s2)).toBeCloseTo(expected, 10);
    expect(frechetFromStats(s2, s1)).toBeCloseTo(expected, 10);
  });

  it('is symmetric and grows with the mean shift', () => {
    const d = 8;
    const a = samples(400, d, 3);
    const b = samples(300, d, 4, 0.1);
    expect(frechetDistance(a, b, d)).toBeCloseTo(frechetDistance(b, a, d), 8);
    let previous = -1;
    for (const shift of [0, 0.25, 0.5, 1, 2]) {
      const fd = frechetDistance(a, samples(300, d, 4, shift), d);
      expect(fd).toBeGreaterThan(previous);
      previous = fd;
    }
    // At a large shift the mean term dominates: d * shift^2 = 32.
    expect(previous).toBeGreaterThan(30);
  });

  it('agrees with the eigen route for correlated 64-d features and stays finite when n < d', () => {
    const d = 64;
    const mix = Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : ((i * 2654435761) % 1000) / 20000));
    const a = samples(500, d, 5, 0, mix);
    const b = samples(500, d, 6, 0, mix);
    const same = frechetDistance(a, b, d);
    const shifted = frechetDistance(a, samples(500, d, 6, 0.5, mix), d);
    expect(same).toBeGreaterThan(0);
    expect(shifted).toBeGreaterThan(same + 0.9 * d * 0.25);
    const few = frechetDistance(a.subarray(0, 20 * d), b.subarray(0, 30 * d), d);
    expect(Number.isFinite(few)).toBe(true);
  });

  it('rejects bad shapes', () => {
    expect(() => frechetDistance(new Float32Array(5), new Float32Array(4), 2)).toThrow();
    expect(() => frechetDistance(new Float32Array(2), new Float32Array(4), 2)).toThrow(/at least 2/);
  });
});
