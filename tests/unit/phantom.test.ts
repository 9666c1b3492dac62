import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MALIGNANT_FRACTION,
  generatePhantom,
  phantomImage,
  phantomImageSeed,
  phantomLabel,
  type PhantomClass,
} from '../../src/data/phantom.ts';

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Mean grey level inside the mask, and over the non-lesion pixels within `d` pixels (Chebyshev) of it. */
function insideAndAround(image: Uint8Array, mask: Uint8Array, size: number, d: number): { inside: number; around: number } {
  let sIn = 0;
  let nIn = 0;
  let sOut = 0;
  let nOut = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const g = image[y * size + x] as number;
      if (mask[y * size + x]) {
        sIn += g;
        nIn++;
        continue;
      }
      let near = false;
      for (let dy = -d; dy <= d && !near; dy++) {
        for (let dx = -d; dx <= d; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < size && yy < size && mask[yy * size + xx]) {
            near = true;
            break;
          }
        }
      }
      if (near) {
        sOut += g;
        nOut++;
      }
    }
  }
  return { inside: sIn / nIn, around: sOut / nOut };
}

/** 4 pi area / perimeter^2, perimeter counted as 4-connected boundary edges (1 for a disc up to a constant). */
function compactness(mask: Uint8Array, size: number): number {
  let area = 0;
  let per = 0;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= size || y >= size ? 0 : (mask[y * size + x] as number));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!at(x, y)) continue;
      area++;
      per += (at(x - 1, y) ? 0 : 1) + (at(x + 1, y) ? 0 : 1) + (at(x, y - 1) ? 0 : 1) + (at(x, y + 1) ? 0 : 1);
    }
  }
  return (4 * Math.PI * area) / (per * per);
}

function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

describe('phantom demo data', () => {
  it('has the documented shape and metadata', () => {
    const set = generatePhantom({ size: 32, count: 12, seed: 3 });
    expect(set.size).toBe(32);
    expect(set.channels).toBe(1);
    expect(set.classes).toEqual(['benign', 'malignant']);
    expect(set.images).toBeInstanceOf(Uint8Array);
    expect(set.images.length).toBe(12 * 32 * 32);
    expect(set.masks.length).toBe(12 * 32 * 32);
    expect(set.labels.length).toBe(12);
    for (const l of set.labels) expect(l === 0 || l === 1).toBe(true);
  });

  it('is deterministic: same seed gives identical bytes, another seed different ones', () => {
    const a = generatePhantom({ size: 64, count: 8, seed: 42 });
    const b = generatePhantom({ size: 64, count: 8, seed: 42 });
    const c = generatePhantom({ size: 64, count: 8, seed: 43 });
    expect(equalBytes(a.images, b.images)).toBe(true);
    expect(equalBytes(a.masks, b.masks)).toBe(true);
    expect(equalBytes(a.labels, b.labels)).toBe(true);
    expect(equalBytes(a.images, c.images)).toBe(false);
    expect(equalBytes(a.masks, c.masks)).toBe(false);
    const one = phantomImage(48, 7, 'malignant');
    expect(equalBytes(one.image, phantomImage(48, 7, 'malignant').image)).toBe(true);
    expect(equalBytes(one.image, phantomImage(48, 8, 'malignant').image)).toBe(false);
  });

  it('is prefix-stable: the first 10 of 50 are the 10 of a set of 10', () => {
    const s10 = generatePhantom({ size: 28, count: 10, seed: 5 });
    const s50 = generatePhantom({ size: 28, count: 50, seed: 5 });
    const px = 28 * 28;
    expect(equalBytes(s10.images, s50.images.subarray(0, 10 * px))).toBe(true);
    expect(equalBytes(s10.masks, s50.masks.subarray(0, 10 * px))).toBe(true);
    expect(equalBytes(s10.labels, s50.labels.subarray(0, 10))).toBe(true);
  });

  it('image i is phantomImage(size, phantomImageSeed(seed, i), label i)', () => {
    const set = generatePhantom({ size: 40, count: 6, seed: 11 });
    const px = 40 * 40;
    for (let i = 0; i < 6; i++) {
      const one = phantomImage(40, phantomImageSeed(11, i), set.labels[i] as 0 | 1);
      expect(equalBytes(one.image, set.images.subarray(i * px, (i + 1) * px))).toBe(true);
      expect(equalBytes(one.mask, set.masks.subarray(i * px, (i + 1) * px))).toBe(true);
    }
    expect(phantomImage(40, 99, 0).image).toEqual(phantomImage(40, 99, 'benign').image);
  });

  it('holds the malignant fraction in every prefix (default and custom)', () => {
    for (const [f, opt] of [
      [DEFAULT_MALIGNANT_FRACTION, undefined],
      [0.5, 0.5],
      [0.1, 0.1],
      [0, 0],
      [1, 1],
    ] as const) {
      const n = 400;
      let mal = 0;
      for (let i = 0; i < n; i++) {
        mal += phantomLabel(17, i, f);
        expect(Math.abs(mal - (i + 1) * f)).toBeLessThanOrEqual(1);
      }
      const set = generatePhantom({ size: 16, count: 60, seed: 17, ...(opt === undefined ? {} : { malignantFraction: opt }) });
      const got = set.labels.reduce((s, v) => s + v, 0);
      expect(Math.abs(got - 60 * f)).toBeLessThanOrEqual(1);
    }
    expect(DEFAULT_MALIGNANT_FRACTION).toBeGreaterThan(0.2);
    expect(DEFAULT_MALIGNANT_FRACTION).toBeLessThan(0.5);
  });

  it('masks are 0/1, non-empty and never the whole image; lesions are darker than their surroundings', () => {
    for (const size of [16, 28, 64]) {
      const set = generatePhantom({ size, count: 60, seed: 23 });
      const px = size * size;
      const diff: [number[], number[]] = [[], []];
      for (let i = 0; i < 60; i++) {
        const mask = set.masks.subarray(i * px, (i + 1) * px);
        const image = set.images.subarray(i * px, (i + 1) * px);
        let area = 0;
        let notBinary = 0;
        for (const v of mask) {
          if (v !== 0 && v !== 1) notBinary++;
          area += v;
        }
        expect(notBinary).toBe(0);
        expect(area).toBeGreaterThan(0);
        expect(area).toBeLessThan(0.5 * px);
        const { inside, around } = insideAndAround(image, mask, size, Math.max(2, Math.round(size / 16)));
        diff[set.labels[i] as 0 | 1].push(around - inside);
        // Every single lesion is hypoechoic, not just on average.
        expect(inside).toBeLessThan(around);
      }
      expect(diff[0].length).toBeGreaterThan(10);
      expect(diff[1].length).toBeGreaterThan(10);
      expect(mean(diff[0])).toBeGreaterThan(25);
      expect(mean(diff[1])).toBeGreaterThan(25);
    }
  });

  it('malignant outlines are more irregular (less compact) and taller than benign ones', () => {
    const size = 64;
    const comp: Record<PhantomClass, number[]> = { benign: [], malignant: [] };
    const tallness: Record<PhantomClass, number[]> = { benign: [], malignant: [] };
    for (const cls of ['benign', 'malignant'] as const) {
      for (let s = 0; s < 50; s++) {
        const { mask } = phantomImage(size, 1000 + s, cls);
        comp[cls].push(compactness(mask, size));
        let x0 = size;
        let x1 = -1;
        let y0 = size;
        let y1 = -1;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            if (!mask[y * size + x]) continue;
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
          }
        }
        tallness[cls].push((y1 - y0 + 1) / (x1 - x0 + 1));
      }
    }
    expect(mean(comp.malignant)).toBeLessThan(0.75 * mean(comp.benign));
    expect(mean(tallness.benign)).toBeLessThan(1);
    expect(mean(tallness.malignant)).toBeGreaterThan(1);
  });

  it('works at sizes 28, 64, 128 (and odd ones), with a plausible grey-level range', () => {
    for (const size of [28, 64, 128, 17, 100]) {
      const set = generatePhantom({ size, count: 4, seed: 31 });
      const px = size * size;
      expect(set.images.length).toBe(4 * px);
      for (let i = 0; i < 4; i++) {
        const image = set.images.subarray(i * px, (i + 1) * px);
        let s = 0;
        let s2 = 0;
        for (const g of image) {
          s += g;
          s2 += g * g;
        }
        const m = s / px;
        const sd = Math.sqrt(s2 / px - m * m);
        expect(m).toBeGreaterThan(40);
        expect(m).toBeLessThan(200);
        expect(sd).toBeGreaterThan(15);
        // Deeper rows are darker on average (attenuation), as in real scans.
        let top = 0;
        let bottom = 0;
        const band = Math.floor(size / 5);
        for (let y = band; y < 2 * band; y++) for (let x = 0; x < size; x++) top += image[y * size + x] as number;
        for (let y = size - band; y < size; y++) for (let x = 0; x < size; x++) bottom += image[y * size + x] as number;
        expect(bottom).toBeLessThan(top);
      }
    }
  });

  it('is fast: 300 images at 64 px in well under two seconds', () => {
    generatePhantom({ size: 64, count: 10, seed: 1 }); // warm-up (JIT)
    const t0 = performance.now();
    const set = generatePhantom({ size: 64, count: 300, seed: 1 });
    const ms = performance.now() - t0;
    expect(set.labels.length).toBe(300);
    // Generous bound: CI machines are shared and slow; typically ~0.6 s.
    expect(ms).toBeLessThan(4000);
  });

  it('rejects bad arguments', () => {
    expect(() => generatePhantom({ size: 4, count: 1, seed: 1 })).toThrow();
    expect(() => generatePhantom({ size: 32, count: -1, seed: 1 })).toThrow();
    expect(() => generatePhantom({ size: 32, count: 1, seed: 1, malignantFraction: 1.5 })).toThrow();
    expect(generatePhantom({ size: 32, count: 0, seed: 1 }).images.length).toBe(0);
  });
});
