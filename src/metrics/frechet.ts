/**
 * Fréchet distance between Gaussians fitted to two feature sets (the formula behind FID):
 *   FD = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}).
 * With our own extractor the number is "FD (classifier features)", not FID (see feature-extractor.ts).
 *
 * (S1 S2)^{1/2} is not symmetric, but it is similar to (A S2 A)^{1/2} with A = S1^{1/2}:
 * S1 S2 = A (A S2 A) A^{-1}, so Tr((S1 S2)^{1/2}) = sum_i sqrt(lambda_i(A S2 A)), and A S2 A is symmetric PSD.
 * That needs only symmetric eigen-decompositions, done with cyclic Jacobi rotations in float64, which are
 * accurate for the D <= 128 matrices here and need no linear-algebra library. It also stays well defined when
 * S1 is singular (n <= D), where scipy's sqrtm route needs an epsilon offset.
 *
 * Covariances use the unbiased 1/(n-1) normalisation (numpy's np.cov, as pytorch-fid does). FD is biased
 * upwards for small n, so compare numbers only at equal n and always report n.
 */

export interface GaussianStats {
  n: number;
  dim: number;
  mean: Float64Array;
  /** Row-major dim x dim covariance. */
  cov: Float64Array;
}

/** Mean and covariance of n feature rows of length dim (row-major [n x dim]). */
export function gaussianStats(features: Float32Array, dim: number): GaussianStats {
  if (dim <= 0 || features.length % dim !== 0) throw new Error(`gaussianStats: length ${features.length} not a multiple of ${dim}`);
  const n = features.length / dim;
  if (n < 2) throw new Error('gaussianStats: need at least 2 samples');
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) + (features[i * dim + j] as number);
  for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = (features[i * dim + j] as number) - (mean[j] as number);
    // Upper triangle only; mirrored below.
    for (let a = 0; a < dim; a++) {
      const ra = row[a] as number;
      if (ra === 0) continue;
      const base = a * dim;
      for (let b = a; b < dim; b++) cov[base + b] = (cov[base + b] as number) + ra * (row[b] as number);
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = (cov[a * dim + b] as number) / (n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { n, dim, mean, cov };
}

export interface SymmetricEigen {
  /** Eigenvalues (unsorted). */
  values: Float64Array;
  /** Row-major n x n; column k is the eigenvector of values[k]. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations. The input is not modified.
 * Each rotation zeroes one off-diagonal pair; sweeps repeat until the off-diagonal mass is negligible
 * relative to the matrix (quadratic convergence, typically 6-10 sweeps).
 */
export function symmetricEigen(matrix: Float64Array, n: number, maxSweeps = 100): SymmetricEigen {
  if (matrix.length !== n * n) throw new Error(`symmetricEigen: expected ${n * n} entries, got ${matrix.length}`);
  const a = new Float64Array(matrix);
  // Symmetrise: callers pass products that are symmetric only up to rounding.
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      const m = 0.5 * ((a[p * n + q] as number) + (a[q * n + p] as number));
      a[p * n + q] = m;
      a[q * n + p] = m;
    }
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += (a[i] as number) ** 2;
  const tol = 1e-30 * total;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += (a[p * n + q] as number) ** 2;
    if (off <= tol || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] as number;
        if (apq === 0) continue;
        const app = a[p * n + p] as number;
        const aqq = a[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        // Smaller root of t^2 + 2 t theta - 1 = 0 (rotation angle <= pi/4, the stable choice).
        const t = Math.abs(theta) > 1e150 ? 1 / (2 * theta) : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A <- J^T A J, columns then rows.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p] as number;
          const akq = a[k * n + q] as number;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k] as number;
          const aqk = a[q * n + k] as number;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i] as number;
  return { values, vectors: v };
}

/** Symmetric PSD square root V diag(sqrt(max(lambda, 0))) V^T; tiny negative eigenvalues (rounding) become 0. */
export function sqrtPsd(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const roots = values.map((l) => Math.sqrt(Math.max(l, 0)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (vectors[i * n + k] as number) * (roots[k] as number) * (vectors[j * n + k] as number);
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Row-major n x n product. */
function matMul(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const xik = x[i * n + k] as number;
      if (xik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = (out[i * n + j] as number) + xik * (y[k * n + j] as number);
    }
  }
  return out;
}

/** FD between two fitted Gaussians. Clamped at 0: negative values can only come from rounding. */
export function frechetFromStats(s1: GaussianStats, s2: GaussianStats): number {
  const d = s1.dim;
  if (s2.dim !== d) throw new Error(`frechetFromStats: dims ${s1.dim} and ${s2.dim} differ`);
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += ((s1.mean[i] as number) - (s2.mean[i] as number)) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += (s1.cov[i * d + i] as number) + (s2.cov[i * d + i] as number);
  const a = sqrtPsd(s1.cov, d);
  const inner = matMul(matMul(a, s2.cov, d), a, d);
  const { values } = symmetricEigen(inner, d);
  let trSqrt = 0;
  for (const l of values) trSqrt += Math.sqrt(Math.max(l, 0));
  return Math.max(0, meanTerm + traces - 2 * trSqrt);
}

/** FD between two feature sets, each row-major [n x dim] (n may differ between the sets). */
export function frechetDistance(a: Float32Array, b: Float32Array, dim: number): number {
  return frechetFromStats(gaussianStats(a, dim), gaussianStats(b, dim));
}
