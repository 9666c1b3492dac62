/**
 * Enlarging a classification training set with synthetic images: the authors' dataset-enhancement policy
 * (RECIPE.md §2). Per class, every real image is kept and
 *
 *     synthetic = max(0, target - n_real) + round(extra * target)
 *
 * synthetic images are added, where `target` is one per-dataset number (by default the largest real class
 * count, so the classes end up balanced) and `extra` a fraction of it added to every class (0.5 = +50 %).
 *
 * Only the TRAINING split goes in here. Validation and test stay real-only: synthetic images are never
 * evaluated on, and the counts must come from the training split, or the target would be inflated by images
 * the classifier never trains on. `trainSplitOf` extracts that split from a stored dataset.
 *
 * Rounding: the RECIPE and the task say round(extra * target); the public enhancement script the policy
 * comes from computes int(extra * target), i.e. rounds down. They differ only when extra * target has a
 * fraction >= 0.5 (BreastMNIST, target 399, extra 0.5: 200 vs 199), so 'floor' is offered to reproduce the
 * script exactly. 'round' rounds halves up (Math.round), not to even as Python's round() would.
 */
import { deriveSeed, mulberry32, shuffleInPlace } from '../data/rng.ts';
import { SPLIT_CODE } from '../data/types.ts';

export interface EnlargementSettings {
  /** Images per class to fill up to before the extra; null = the largest real class count. */
  target: number | null;
  /** Fraction of `target` added as synthetic images to every class, on top of the fill-up (e.g. 0.5). */
  extra: number;
  /** How extra * target becomes a count (see the file comment); default 'round'. */
  rounding?: 'round' | 'floor';
}

export const DEFAULT_ENLARGEMENT: EnlargementSettings = { target: null, extra: 0.5, rounding: 'round' };

/** Images of the training split per class index. */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new Error(`classCounts: label ${c} outside [0, ${numClasses})`);
    counts[c] = (counts[c] as number) + 1;
  }
  return counts;
}

/** The target a setting resolves to for these real training counts. */
export function resolveTarget(realTrainCounts: readonly number[], settings: EnlargementSettings): number {
  if (settings.target === null) return realTrainCounts.reduce((m, n) => Math.max(m, n), 0);
  if (!Number.isInteger(settings.target) || settings.target < 0) throw new Error(`enlargement: target must be a whole number >= 0, got ${settings.target}`);
  return settings.target;
}

/**
 * Synthetic images to add per class, from the real TRAINING-split counts per class (index = class).
 * Pure: no data, no randomness.
 */
export function syntheticCounts(realTrainCounts: readonly number[], settings: EnlargementSettings): number[] {
  if (!Number.isFinite(settings.extra) || settings.extra < 0) throw new Error(`enlargement: extra must be >= 0, got ${settings.extra}`);
  for (const n of realTrainCounts) if (!Number.isInteger(n) || n < 0) throw new Error(`enlargement: class count ${n} is not a whole number >= 0`);
  const target = resolveTarget(realTrainCounts, settings);
  const scaled = settings.extra * target;
  // The 1e-9 guards against 0.3 * 10 = 2.9999999999999996 flooring to 2.
  const extra = settings.rounding === 'floor' ? Math.floor(scaled + 1e-9) : Math.round(scaled);
  return realTrainCounts.map((n) => Math.max(0, target - n) + extra);
}

/** Images with one label each: `images` holds N images of equal size back to back (uint8, HWC). */
export interface LabelledImages {
  images: Uint8Array;
  labels: Uint8Array;
}

/** The training images of a stored dataset (its other splits are left out on purpose). */
export function trainSplitOf(data: { images: Uint8Array; labels: Uint8Array; splits: Uint8Array }): LabelledImages {
  const n = data.labels.length;
  if (data.splits.length !== n) throw new Error(`trainSplitOf: ${n} labels but ${data.splits.length} split codes`);
  const px = pixelsPerImage(data.images, n, 'dataset');
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (data.splits[i] === SPLIT_CODE.train) idx.push(i);
  const images = new Uint8Array(idx.length * px);
  idx.forEach((src, k) => images.set(data.images.subarray(src * px, (src + 1) * px), k * px));
  return { images, labels: Uint8Array.from(idx, (i) => data.labels[i] as number) };
}

/** A training set with synthetic images appended: real ones first, then synthetic ones class by class. */
export interface EnlargedTrainSet extends LabelledImages {
  /** 1 for a synthetic image, 0 for a real one, per image (reports, and to keep them out of any evaluation). */
  isSynthetic: Uint8Array;
  /** Index of each synthetic image in the pool it came from, -1 for real images (traceability). */
  poolIndex: Int32Array;
  realCounts: number[];
  syntheticCounts: number[];
  /** Per class, how many synthetic images had to be reused because the pool was smaller than the count. */
  reused: number[];
}

/**
 * Pick synthetic images from a labelled pool (e.g. each class generator's output, labelled with its class)
 * by the policy's counts and append them to the real training images. Per class, the pool is sampled
 * without replacement while it is large enough; a smaller pool is used whole as many times as fits, plus a
 * random part of it for the remainder (as the enhancement script does), and `reused` says so. Seeded.
 * Throws when a class needs synthetic images and its pool has none.
 */
export function assembleEnlargedTrainSet(
  realTrain: LabelledImages,
  pool: LabelledImages,
  numClasses: number,
  settings: EnlargementSettings,
  seed: number,
): EnlargedTrainSet {
  const nReal = realTrain.labels.length;
  const realPx = pixelsPerImage(realTrain.images, nReal, 'real training set');
  const poolPx = pixelsPerImage(pool.images, pool.labels.length, 'synthetic pool');
  if (nReal > 0 && pool.labels.length > 0 && poolPx !== realPx) {
    throw new Error('assembleEnlargedTrainSet: synthetic images are not the size of the real ones');
  }
  const px = nReal > 0 ? realPx : poolPx;
  const realCounts = classCounts(realTrain.labels, numClasses);
  const counts = syntheticCounts(realCounts, settings);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  classCounts(pool.labels, numClasses); // validates the pool's labels
  pool.labels.forEach((c, i) => byClass[c]?.push(i));

  const picks: number[] = [];
  const pickLabels: number[] = [];
  const reused: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const want = counts[c] as number;
    const available = byClass[c] as number[];
    if (want > 0 && available.length === 0) throw new Error(`assembleEnlargedTrainSet: class ${c} needs ${want} synthetic images but the pool has none`);
    const chosen = sampleCycling(available, want, mulberry32(deriveSeed(seed, c)));
    reused.push(Math.max(0, want - available.length));
    for (const i of chosen) {
      picks.push(i);
      pickLabels.push(c);
    }
  }

  const total = nReal + picks.length;
  const images = new Uint8Array(total * px);
  images.set(realTrain.images.subarray(0, nReal * px));
  picks.forEach((src, k) => images.set(pool.images.subarray(src * px, (src + 1) * px), (nReal + k) * px));
  const labels = new Uint8Array(total);
  labels.set(realTrain.labels);
  labels.set(pickLabels, nReal);
  const isSynthetic = new Uint8Array(total).fill(1, nReal);
  const poolIndex = new Int32Array(total).fill(-1);
  poolIndex.set(picks, nReal);
  return { images, labels, isSynthetic, poolIndex, realCounts, syntheticCounts: counts, reused };
}

/** k items: without replacement if k <= n, else every item floor(k / n) times plus a random k mod n. */
function sampleCycling(items: readonly number[], k: number, rand: () => number): number[] {
  const n = items.length;
  if (k === 0 || n === 0) return [];
  const shuffled = (): number[] => {
    const a = [...items];
    shuffleInPlace(a, rand);
    return a;
  };
  const out: number[] = [];
  for (let t = 0; t < Math.floor(k / n); t++) out.push(...items);
  const rest = k % n;
  if (rest > 0) out.push(...shuffled().slice(0, rest));
  return out;
}

function pixelsPerImage(images: Uint8Array, n: number, what: string): number {
  if (n === 0) return 0;
  if (images.length % n !== 0) throw new Error(`${what}: ${images.length} bytes do not split into ${n} equal images`);
  return images.length / n;
}
