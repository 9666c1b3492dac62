// The dataset-enlargement policy: counts per class, and assembling real + synthetic training images. The real
// BreastMNIST counts are read from ../shared/data with the project's own reader (never copied into the repo).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMedMnist } from '../../src/data/npz.ts';
import { SPLIT_CODE } from '../../src/data/types.ts';
import {
  assembleEnlargedTrainSet,
  classCounts,
  resolveTarget,
  syntheticCounts,
  trainSplitOf,
  type LabelledImages,
} from '../../src/pipeline/enlargement.ts';

const BREASTMNIST = new URL('../../../shared/data/breastmnist/breastmnist.npz', import.meta.url).pathname;

/** n images of `px` bytes, image i filled with the byte base + i, labelled by `labels`. */
function images(labels: number[], px: number, base: number): LabelledImages {
  const out = new Uint8Array(labels.length * px);
  labels.forEach((_, i) => out.fill(base + i, i * px, (i + 1) * px));
  return { images: out, labels: Uint8Array.from(labels) };
}

describe('syntheticCounts', () => {
  it('fills every class up to the largest, then adds round(extra * target) to each', () => {
    // target = 399: malignant 399 - 147 + 200, benign 0 + 200.
    expect(syntheticCounts([147, 399], { target: null, extra: 0.5 })).toEqual([452, 200]);
    expect(syntheticCounts([147, 399], { target: null, extra: 0 })).toEqual([252, 0]);
    expect(syntheticCounts([147, 399], { target: null, extra: 1 })).toEqual([651, 399]);
  });

  it('takes an explicit target, never removes real images, and can floor like the public script', () => {
    expect(syntheticCounts([147, 399], { target: 300, extra: 0.5 })).toEqual([303, 150]);
    expect(syntheticCounts([147, 399], { target: 100, extra: 0 })).toEqual([0, 0]);
    // 0.5 * 399 = 199.5: round -> 200, floor (Python int()) -> 199.
    expect(syntheticCounts([147, 399], { target: null, extra: 0.5, rounding: 'floor' })).toEqual([451, 199]);
    // floor must not lose to binary fractions: 0.3 * 10 = 2.9999999999999996.
    expect(syntheticCounts([10, 4], { target: null, extra: 0.3, rounding: 'floor' })).toEqual([3, 9]);
    expect(resolveTarget([3, 8, 5], { target: null, extra: 0 })).toBe(8);
  });

  it('refuses settings that are not counts', () => {
    expect(() => syntheticCounts([1, 2], { target: -1, extra: 0 })).toThrow(/target/);
    expect(() => syntheticCounts([1, 2], { target: 2.5, extra: 0 })).toThrow(/target/);
    expect(() => syntheticCounts([1, 2], { target: null, extra: -0.1 })).toThrow(/extra/);
    expect(() => syntheticCounts([1, 1.5], { target: null, extra: 0 })).toThrow(/class count/);
  });

  it.skipIf(!existsSync(BREASTMNIST))('uses the real BreastMNIST training counts (147 malignant, 399 benign)', () => {
    const set = readMedMnist(new Uint8Array(readFileSync(BREASTMNIST)), 'breastmnist.npz');
    const train = trainSplitOf(set);
    const counts = classCounts(train.labels, set.classes.length);
    expect(set.classes).toEqual(['malignant', 'normal, benign']);
    expect(counts).toEqual([147, 399]);
    expect(counts).toEqual([set.counts.train.malignant, set.counts.train['normal, benign']]);
    expect(syntheticCounts(counts, { target: null, extra: 0.5 })).toEqual([452, 200]);
    // Only the training split went in: the enlarged set is built from 546 real images, val/test untouched.
    expect(train.labels.length).toBe(546);
    expect(train.images.length).toBe(546 * 28 * 28);
  });
});

describe('trainSplitOf', () => {
  it('keeps only the training images, in order', () => {
    const { train, val, test } = SPLIT_CODE;
    const all = images([0, 1, 1, 0, 1], 4, 10);
    const picked = trainSplitOf({ ...all, splits: Uint8Array.from([train, val, train, test, train]) });
    expect(Array.from(picked.labels)).toEqual([0, 1, 1]);
    expect(Array.from(picked.images.filter((_, i) => i % 4 === 0))).toEqual([10, 12, 14]);
  });
});

describe('assembleEnlargedTrainSet', () => {
  const real = images([0, 1, 1, 1], 3, 0); // class 0: 1 real, class 1: 3 real
  const pool = images([0, 0, 0, 0, 0, 0, 1, 1, 1, 1], 3, 100); // pool indices 0-5 class 0, 6-9 class 1

  it('appends the policy counts of synthetic images, flagged and labelled by class', () => {
    // target 3, extra 1/3 -> +1: class 0 gets 2 + 1 = 3, class 1 gets 0 + 1 = 1.
    const set = assembleEnlargedTrainSet(real, pool, 2, { target: null, extra: 1 / 3 }, 5);
    expect(set.realCounts).toEqual([1, 3]);
    expect(set.syntheticCounts).toEqual([3, 1]);
    expect(set.labels.length).toBe(8);
    expect(Array.from(set.labels)).toEqual([0, 1, 1, 1, 0, 0, 0, 1]);
    expect(Array.from(set.isSynthetic)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(set.poolIndex.subarray(0, 4))).toEqual([-1, -1, -1, -1]);
    const synthIdx = Array.from(set.poolIndex.subarray(4));
    // Drawn without replacement from the right class's images, pixels copied from the pool.
    expect(new Set(synthIdx.slice(0, 3)).size).toBe(3);
    expect(synthIdx.slice(0, 3).every((i) => i >= 0 && i < 6)).toBe(true);
    expect(synthIdx[3]).toBeGreaterThanOrEqual(6);
    synthIdx.forEach((src, k) => expect(set.images[(4 + k) * 3]).toBe(100 + src));
    // Real images first, unchanged.
    expect(Array.from(set.images.subarray(0, 12))).toEqual(Array.from(real.images));
    expect(set.reused).toEqual([0, 0]);
  });

  it('is seeded: the same seed picks the same images, another seed others', () => {
    const settings = { target: 6, extra: 0 };
    const a = assembleEnlargedTrainSet(real, pool, 2, settings, 1);
    const b = assembleEnlargedTrainSet(real, pool, 2, settings, 1);
    expect(Array.from(b.poolIndex)).toEqual(Array.from(a.poolIndex));
    const picks = new Set<string>();
    for (let seed = 0; seed < 10; seed++) picks.add(Array.from(assembleEnlargedTrainSet(real, pool, 2, settings, seed).poolIndex).join());
    expect(picks.size).toBeGreaterThan(1);
  });

  it('cycles a pool smaller than the count: whole copies, then a random part', () => {
    // class 1 needs 10 - 3 = 7 from a pool of 4: every image once, plus 3 distinct ones.
    const set = assembleEnlargedTrainSet(real, pool, 2, { target: 10, extra: 0 }, 3);
    const fromClass1 = Array.from(set.poolIndex).filter((i) => i >= 6);
    expect(fromClass1.length).toBe(7);
    const uses = [6, 7, 8, 9].map((i) => fromClass1.filter((j) => j === i).length);
    expect(uses.every((u) => u === 1 || u === 2)).toBe(true);
    expect(uses.filter((u) => u === 2).length).toBe(3);
    expect(set.reused).toEqual([3, 3]); // class 0: 9 from a pool of 6
  });

  it('refuses a class that needs synthetic images but has none, and images of another size', () => {
    const onlyClass0 = images([0, 0], 3, 50);
    expect(() => assembleEnlargedTrainSet(real, onlyClass0, 2, { target: null, extra: 0.5 }, 1)).toThrow(/class 1 needs 2 synthetic images/);
    expect(() => assembleEnlargedTrainSet(real, images([0, 1], 5, 0), 2, { target: null, extra: 0 }, 1)).toThrow(/size/);
  });
});
