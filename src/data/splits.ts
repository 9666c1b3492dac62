/**
 * Train/val/test splits for sources that come without one (a folder of images), and per-split class counts.
 *
 * The split is stratified (each class is divided in the same proportions, so a rare class is not left out of
 * val or test by chance) and seeded (the same labels, fractions and seed give the same split on any machine,
 * so a result can be reproduced from the seed shown in the UI).
 */
import { mulberry32, shuffleInPlace } from './rng.ts';
import { SPLIT_CODE, SPLITS, type SplitCounts, type SplitFractions } from './types.ts';

/** One SPLIT_CODE per label. */
export function stratifiedSplit(labels: ArrayLike<number>, fractions: SplitFractions, seed: number): Uint8Array {
  const { val, test } = fractions;
  if (!(val >= 0 && test >= 0 && val + test < 1)) {
    throw new RangeError(`Split fractions must be non-negative and leave some images for training (val ${val}, test ${test}).`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    const list = byClass.get(c);
    if (list) list.push(i);
    else byClass.set(c, [i]);
  }
  const out = new Uint8Array(labels.length); // all SPLIT_CODE.train (0) to start
  const rand = mulberry32(seed);
  // Classes in ascending order, so the random stream each class draws from does not depend on which class
  // happens to appear first in the data.
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = Uint32Array.from(byClass.get(c)!);
    shuffleInPlace(idx, rand);
    const [nVal, nTest] = splitSizes(idx.length, fractions);
    for (let k = 0; k < idx.length; k++) {
      out[idx[k]!] = k < nTest ? SPLIT_CODE.test : k < nTest + nVal ? SPLIT_CODE.val : SPLIT_CODE.train;
    }
  }
  return out;
}

/**
 * How many of a class of n go to val and test: round(n * fraction) each; a class of 3 or more gets at least
 * one in each split asked for (a fraction of 0 means no such split, and is respected), and training always
 * keeps at least one when n >= 1, taken back from the larger of val and test.
 */
export function splitSizes(n: number, fractions: SplitFractions): [val: number, test: number] {
  let nVal = Math.round(n * fractions.val);
  let nTest = Math.round(n * fractions.test);
  if (n >= 3) {
    if (fractions.val > 0) nVal = Math.max(1, nVal);
    if (fractions.test > 0) nTest = Math.max(1, nTest);
  }
  while (n >= 1 && nVal + nTest > n - 1) {
    if (nTest >= nVal) nTest--;
    else nVal--;
  }
  return [nVal, nTest];
}

/** Images per split and class name. Every class appears in every split, with 0 where it has none. */
export function countSplits(labels: ArrayLike<number>, splits: ArrayLike<number>, classes: readonly string[]): SplitCounts {
  if (labels.length !== splits.length) {
    throw new RangeError(`countSplits: ${labels.length} labels but ${splits.length} split codes.`);
  }
  // table[split code][class index]
  const table = SPLITS.map(() => new Array<number>(classes.length).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const row = table[splits[i]!];
    const c = labels[i]!;
    if (!row) throw new RangeError(`countSplits: split code ${splits[i]} at index ${i} is not a split.`);
    if (!(Number.isInteger(c) && c >= 0 && c < classes.length)) {
      throw new RangeError(`countSplits: label ${c} at index ${i} has no class name.`);
    }
    row[c]!++;
  }
  const counts = {} as SplitCounts;
  for (const split of SPLITS) {
    const row = table[SPLIT_CODE[split]]!;
    counts[split] = Object.fromEntries(classes.map((name, c) => [name, row[c]!]));
  }
  return counts;
}
