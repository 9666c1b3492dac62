/**
 * The image-formation primitives of the phantom (phantom.ts): smooth value noise for tissue texture, wavy layer
 * interfaces, separable Gaussian blur, and fully developed speckle. Pure numeric code on Float32Arrays, no
 * randomness of its own (every function draws from the `rand` it is given), so a seed still fixes every image.
 */

import { gaussian } from './rng.ts';

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

export function uniform(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** Smooth value noise on [0,1]^2: Gaussian values on a gw x gh lattice, smoothly interpolated. ~N(0, <1). */
export class ValueNoise {
  private readonly v: Float32Array;
  constructor(
    rand: () => number,
    private readonly gw: number,
    private readonly gh: number,
  ) {
    this.v = new Float32Array((gw + 1) * (gh + 1));
    for (let i = 0; i < this.v.length; i++) this.v[i] = gaussian(rand);
  }
  at(u: number, v: number): number {
    const x = clamp01(u) * this.gw;
    const y = clamp01(v) * this.gh;
    const x0 = Math.min(this.gw - 1, Math.floor(x));
    const y0 = Math.min(this.gh - 1, Math.floor(y));
    let fx = x - x0;
    let fy = y - y0;
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    const w = this.gw + 1;
    const a = this.v[y0 * w + x0] as number;
    const b = this.v[y0 * w + x0 + 1] as number;
    const c = this.v[(y0 + 1) * w + x0] as number;
    const d = this.v[(y0 + 1) * w + x0 + 1] as number;
    return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
  }
}

/** A wavy, roughly horizontal curve v = base + two sinusoids in u. */
export interface Wave {
  base: number;
  a1: number;
  f1: number;
  p1: number;
  a2: number;
  f2: number;
  p2: number;
}

export function makeWave(rand: () => number, base: number, amp: number): Wave {
  return {
    base,
    a1: amp * uniform(rand, 0.4, 1),
    f1: uniform(rand, 0.4, 1.3),
    p1: rand(),
    a2: amp * uniform(rand, 0.1, 0.4),
    f2: uniform(rand, 1.5, 3.5),
    p2: rand(),
  };
}

export function waveAt(w: Wave, u: number): number {
  return w.base + w.a1 * Math.sin(2 * Math.PI * (w.f1 * u + w.p1)) + w.a2 * Math.sin(2 * Math.PI * (w.f2 * u + w.p2));
}

/** Discrete, normalised Gaussian kernel. */
export function gaussKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    const g = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + r] = g;
    s += g;
  }
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / s;
  return k;
}

/** Separable convolution of an n x n field, clamped at the borders. `tmp` is scratch of the same size. */
export function blurSeparable(f: Float32Array, tmp: Float32Array, n: number, kx: Float32Array, ky: Float32Array): void {
  const rx = (kx.length - 1) >> 1;
  const ry = (ky.length - 1) >> 1;
  for (let y = 0; y < n; y++) {
    const row = y * n;
    for (let x = 0; x < n; x++) {
      let s = 0;
      if (x >= rx && x < n - rx) {
        const o = row + x - rx;
        for (let i = 0; i < kx.length; i++) s += (kx[i] as number) * (f[o + i] as number);
      } else {
        for (let i = -rx; i <= rx; i++) {
          const xx = x + i < 0 ? 0 : x + i >= n ? n - 1 : x + i;
          s += (kx[i + rx] as number) * (f[row + xx] as number);
        }
      }
      tmp[row + x] = s;
    }
  }
  for (let y = 0; y < n; y++) {
    const inner = y >= ry && y < n - ry;
    for (let x = 0; x < n; x++) {
      let s = 0;
      if (inner) {
        let o = (y - ry) * n + x;
        for (let i = 0; i < ky.length; i++, o += n) s += (ky[i] as number) * (tmp[o] as number);
      } else {
        for (let i = -ry; i <= ry; i++) {
          const yy = y + i < 0 ? 0 : y + i >= n ? n - 1 : y + i;
          s += (ky[i + ry] as number) * (tmp[yy * n + x] as number);
        }
      }
      f[y * n + x] = s;
    }
  }
}

/** Independent speckle looks averaged in intensity (spatial compounding, as modern scanners do). */
export const SPECKLE_LOOKS = 2;
const SQRT12 = Math.sqrt(12);

/**
 * Speckle amplitude on an n x n grid: per look, a complex circular Gaussian field (white noise low-pass filtered by the
 * resolution cell, a Gaussian of sx by sy pixels); its magnitude is Rayleigh distributed. Looks are averaged in
 * intensity; the result is normalised so that E[A^2] = 1.
 */
export function speckleAmplitude(rand: () => number, n: number, sx: number, sy: number, looks: number, tmp: Float32Array): Float32Array {
  const nn = n * n;
  const kx = gaussKernel(sx);
  const ky = gaussKernel(sy);
  let k2x = 0;
  let k2y = 0;
  for (const w of kx) k2x += w * w;
  for (const w of ky) k2y += w * w;
  const norm = 1 / (2 * k2x * k2y * looks); // E[re^2 + im^2] after the filter is 2 * sum(k^2)
  const re = new Float32Array(nn);
  const im = new Float32Array(nn);
  const inten = new Float32Array(nn);
  for (let look = 0; look < looks; look++) {
    // White noise of unit variance. Uniform rather than Gaussian samples: the filter sums a few dozen of them
    // per pixel, so the filtered field is Gaussian to within a hair (central limit), at a fraction of the cost.
    for (let i = 0; i < nn; i++) {
      re[i] = (rand() - 0.5) * SQRT12;
      im[i] = (rand() - 0.5) * SQRT12;
    }
    blurSeparable(re, tmp, n, kx, ky);
    blurSeparable(im, tmp, n, kx, ky);
    for (let i = 0; i < nn; i++) {
      const a = re[i] as number;
      const b = im[i] as number;
      inten[i] = (inten[i] as number) + (a * a + b * b) * norm;
    }
  }
  for (let i = 0; i < nn; i++) inten[i] = Math.sqrt(inten[i] as number);
  return inten;
}
