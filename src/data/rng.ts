/**
 * Small, fast, seedable pseudo-random helpers. Everything random in the app that must be reproducible
 * (demo data, splits, shuffles) goes through these, never through Math.random.
 */

/** Mulberry32: a 32-bit state PRNG, uniform on [0, 1). Good enough for data generation and shuffling. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(a: T[] | Uint32Array | Int32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j] as never;
    a[j] = t as never;
  }
}

/** A standard normal sample (Box-Muller; one of the pair is discarded to keep the function stateless). */
export function gaussian(rand: () => number): number {
  let u = rand();
  while (u <= 1e-12) u = rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A 32-bit seed derived from a base seed and any number of integers (e.g. (seed, index)), well mixed so that
 * neighbouring inputs give unrelated streams. Used so that item i of a generated set does not depend on how
 * many items are generated.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed >>> 0) ^ 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    h = (h + 0x9e3779b9) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
