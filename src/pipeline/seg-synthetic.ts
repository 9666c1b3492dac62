/**
 * The synthetic images a pseudo-labelling experiment segments: drawn once per experiment from the dataset's
 * generators and stored with it (uint8, the dataset's size), so every round predicts masks for the same
 * images and a branch starts from them too.
 *
 * Which generators: a segmentation set without class labels has one generator over all its training images
 * (classIndex null, "all images"); a labelled one (e.g. benign / malignant) has one per class, and the
 * synthetic count is split over the classes in proportion to their real training images (largest
 * remainders), so the pseudo-labelled set keeps the real class mix.
 */
import type { DatasetMeta } from '../data/store-types.ts';
import { DataError } from '../data/errors.ts';
import { deriveSeed } from '../data/rng.ts';
import type { GeneratorRunMeta } from './generator-runs.ts';
import { generateClassImages, pickGeneratorRuns } from './synthetic-pool.ts';
import type { SegSyntheticSource } from './seg-rounds-record.ts';

/** The stored synthetic set of an experiment. */
export interface SegSyntheticSet {
  /** N x size x size x channels uint8. */
  images: Uint8Array;
  /** Generator class of each image; -1 for the "all images" generator. */
  classIndex: Int16Array;
  /** "s0", "s1", ...: stable ids the review and the overrides refer to. */
  ids: string[];
}

/** Key of a generator in options.generatorRunIds: the class index, or "all". */
export const generatorKey = (classIndex: number | null): string => (classIndex === null ? 'all' : String(classIndex));

/**
 * The generators to draw from: for an unlabelled set the "all images" run (classIndex null), for a labelled
 * one a run per class; the chosen run id where given, else the run with the most training behind its
 * checkpoint. Throws a DataError naming what to train when one is missing.
 */
export function pickSegGenerators(meta: DatasetMeta, runs: GeneratorRunMeta[], chosen: Record<string, string> = {}): Map<number | null, GeneratorRunMeta> {
  if (meta.labelled) {
    const byClass: Record<number, string> = {};
    for (const [k, v] of Object.entries(chosen)) if (k !== 'all') byClass[Number(k)] = v;
    const picked = pickGeneratorRuns(meta, runs, meta.classes.map((_, c) => c), byClass);
    return new Map<number | null, GeneratorRunMeta>([...picked.entries()]);
  }
  const wanted = chosen.all;
  const best = runs
    .filter((r) => r.datasetId === meta.id && r.classIndex === null && r.checkpointStep !== null && (wanted === undefined || r.id === wanted))
    .sort((a, b) => b.imagesSeen - a.imagesSeen)[0];
  if (!best) throw new DataError(`No trained generator for "${meta.name}" (all images): train it in the Generators tab first (a few hundred steps are enough to try the pipeline).`, 'bad-input');
  return new Map([[null, best]]);
}

/** `total` split over classes in proportion to `weights` (largest remainders; ties to the lower index). */
export function splitProportionally(total: number, weights: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new Error(`splitProportionally: total must be a whole number >= 0, got ${total}`);
  const sum = weights.reduce((s, w) => s + w, 0);
  if (weights.length === 0) return [];
  if (!(sum > 0)) {
    const even = weights.map(() => Math.floor(total / weights.length));
    for (let i = 0; i < total - even.reduce((s, n) => s + n, 0); i++) even[i]!++;
    return even;
  }
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, n) => s + n, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}

/**
 * Draws the synthetic set: `counts` per generator key order (classIndex null, or 0..K-1), from their EMA
 * generators at the dataset's size. Returns the images and where they came from.
 */
export async function generateSegSynthetic(
  meta: DatasetMeta,
  generators: Map<number | null, GeneratorRunMeta>,
  counts: Map<number | null, number>,
  seed: number,
  psi: number,
  signal?: AbortSignal,
  onGenerator?: (className: string, count: number) => void,
): Promise<{ set: SegSyntheticSet; sources: SegSyntheticSource[] }> {
  const px = meta.size * meta.size * meta.channels;
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  const images = new Uint8Array(total * px);
  const classIndex = new Int16Array(total);
  const sources: SegSyntheticSource[] = [];
  let at = 0;
  for (const [c, n] of counts) {
    if (n === 0) continue;
    const run = generators.get(c);
    if (!run) throw new Error(`generateSegSynthetic: no generator for ${generatorKey(c)}`);
    onGenerator?.(run.className, n);
    images.set(await generateClassImages(run, n, meta.size, deriveSeed(seed, c === null ? 0xa11 : c), psi, signal), at * px);
    classIndex.fill(c ?? -1, at, at + n);
    at += n;
    sources.push({ classIndex: c, className: run.className, runId: run.id, step: run.checkpointStep ?? 0, kimg: run.imagesSeen / 1000, preset: run.preset, count: n });
  }
  return { set: { images, classIndex, ids: Array.from({ length: total }, (_, i) => `s${i}`) }, sources };
}
