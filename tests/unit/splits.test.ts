// Seeded stratified splits: exact per-class sizes, every class in every split, reproducible from the seed.
import { describe, expect, it } from 'vitest';
import { countSplits, splitSizes, stratifiedSplit } from '../../src/data/splits.ts';
import { DEFAULT_SPLIT, SPLIT_CODE } from '../../src/data/types.ts';

/** Class sizes 100, 37, 3, 2, 1, interleaved so the split cannot rely on labels being sorted. */
function makeLabels(): number[] {
  const sizes = [100, 37, 3, 2, 1];
  const out: number[] = [];
  for (let round = 0; out.length < 143; round++) sizes.forEach((n, c) => round < n && out.push(c));
  return out;
}

/** [train, val, test] count per class. */
function perClass(labels: number[], splits: Uint8Array): Map<number, [number, number, number]> {
  const m = new Map<number, [number, number, number]>();
  labels.forEach((c, i) => {
    const row = m.get(c) ?? [0, 0, 0];
    row[splits[i]!]!++;
    m.set(c, row);
  });
  return m;
}

describe('stratifiedSplit', () => {
  const labels = makeLabels();

  it('gives each class exactly its rounded share, at least one in val and test when it has 3 or more', () => {
    const got = perClass(labels, stratifiedSplit(labels, DEFAULT_SPLIT, 1));
    // [train, val, test] with val 0.1, test 0.2
    expect(got.get(0)).toEqual([70, 10, 20]);
    expect(got.get(1)).toEqual([26, 4, 7]); // round(3.7) = 4, round(7.4) = 7
    expect(got.get(2)).toEqual([1, 1, 1]); // rounding gives 0 val, but 3 images get one in each split
    expect(got.get(3)).toEqual([2, 0, 0]);
    expect(got.get(4)).toEqual([1, 0, 0]);
  });

  it('puts every class of 3 or more into every split, for any seed', () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const [c, [tr, va, te]] of perClass(labels, stratifiedSplit(labels, DEFAULT_SPLIT, seed))) {
        if (c <= 2) expect(Math.min(tr, va, te)).toBeGreaterThan(0);
      }
    }
  });

  it('is deterministic for a seed, and a different seed gives a different assignment with the same counts', () => {
    const a = stratifiedSplit(labels, DEFAULT_SPLIT, 42);
    expect(stratifiedSplit(labels, DEFAULT_SPLIT, 42)).toEqual(a);
    const b = stratifiedSplit(labels, DEFAULT_SPLIT, 43);
    expect(b).not.toEqual(a);
    expect(perClass(labels, b)).toEqual(perClass(labels, a));
  });

  it('respects a fraction of 0 and keeps at least one image for training', () => {
    const noVal = perClass(labels, stratifiedSplit(labels, { val: 0, test: 0.2 }, 1));
    expect([...noVal.values()].every(([, va]) => va === 0)).toBe(true);
    expect(splitSizes(3, { val: 0.45, test: 0.45 })).toEqual([1, 1]);
    expect(splitSizes(10, { val: 0.45, test: 0.5 })).toEqual([5, 4]); // 5 + 5 > 9: the tie is taken from test
  });

  it('refuses fractions that leave nothing for training', () => {
    expect(() => stratifiedSplit(labels, { val: 0.5, test: 0.5 }, 1)).toThrow(RangeError);
    expect(() => stratifiedSplit(labels, { val: -0.1, test: 0.2 }, 1)).toThrow(RangeError);
  });

  it('handles no labels', () => {
    expect(stratifiedSplit([], DEFAULT_SPLIT, 1)).toEqual(new Uint8Array(0));
  });
});

describe('countSplits', () => {
  it('counts per split and class name, with zeros for absent classes', () => {
    const { train, val, test } = SPLIT_CODE;
    const counts = countSplits([0, 1, 1, 0, 1], [train, train, val, test, test], ['a', 'b', 'c']);
    expect(counts).toEqual({
      train: { a: 1, b: 1, c: 0 },
      val: { a: 0, b: 1, c: 0 },
      test: { a: 1, b: 1, c: 0 },
    });
  });

  it('agrees with stratifiedSplit', () => {
    const labels = makeLabels();
    const counts = countSplits(labels, stratifiedSplit(labels, DEFAULT_SPLIT, 7), ['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(counts.test).toEqual({ c0: 20, c1: 7, c2: 1, c3: 0, c4: 0 });
  });

  it('refuses labels without a class name and unknown split codes', () => {
    expect(() => countSplits([0, 2], [0, 0], ['a', 'b'])).toThrow(RangeError);
    expect(() => countSplits([0], [5], ['a'])).toThrow(RangeError);
  });
});
