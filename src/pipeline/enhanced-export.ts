/**
 * The enhanced dataset as a product other tools can train on (issue 5 §4): the real splits plus, in train
 * only, synthetic images by the enlargement policy, flagged per image.
 *
 * - `.npz` in MedMNIST's layout (`train_images` N×S×S[×3] uint8, `train_labels` N×1 uint8, and the same for
 *   val and test), plus `<split>_is_synthetic` (N, uint8 0/1; always 0 outside train), so
 *   `np.load(f)['train_images']` works as with any MedMNIST file.
 * - `.zip` of class folders, `<split>/<class>/<real|synthetic>_<n>.png`, with `manifest.csv` (file, split,
 *   class, is_synthetic, source) saying where each image came from.
 */
import { zipSync } from 'fflate';
import { deriveSeed } from '../data/rng.ts';
import { encodePng } from '../data/png-encode.ts';
import { datasetArrays } from '../data/read-dataset.ts';
import { encodeNpz, type WritableArray } from '../data/npy-write.ts';
import type { DatasetMeta } from '../data/store-types.ts';
import { SPLIT_CODE, SPLITS, type SplitName } from '../data/types.ts';
import { DataError } from '../data/errors.ts';
import { CancelledError } from '../data/import/import-context.ts';
import { splitOf } from './classify-experiment.ts';
import { assembleEnlargedTrainSet, classCounts, syntheticCounts } from './enlargement.ts';
import { listRuns } from './generator-runs.ts';
import { pickGeneratorRuns, syntheticPool, type PoolSource } from './synthetic-pool.ts';

export interface EnhancedExportOptions {
  datasetId: string;
  /** Synthetic fraction of the policy (RECIPE §2). */
  extra: number;
  /** Seeds the synthetic draw. */
  seed: number;
  psi: number;
  format: 'npz' | 'zip';
  generatorRunIds?: Record<number, string>;
}

export interface EnhancedSplit {
  images: Uint8Array;
  labels: Uint8Array;
  isSynthetic: Uint8Array;
  /** Per image: source name of a real image (where known), or the generator run and seed of a synthetic one. */
  origin: string[];
}

export interface EnhancedDataset {
  meta: DatasetMeta;
  splits: Record<SplitName, EnhancedSplit>;
  sources: PoolSource[];
  syntheticCounts: number[];
}

/** Builds the enhanced splits: generates the synthetic images (the long part). */
export async function buildEnhancedDataset(o: EnhancedExportOptions, signal?: AbortSignal, onClass?: (c: number, n: number) => void): Promise<EnhancedDataset> {
  const a = await datasetArrays(o.datasetId);
  const m = a.meta;
  if (!m.labelled) throw new DataError(`"${m.name}" has no class labels: an enhanced set needs one generator per class.`, 'bad-input');
  if (!(o.extra >= 0 && o.extra <= 10)) throw new DataError(`The synthetic fraction must be between 0 and 10 (got ${o.extra}).`, 'bad-input');
  const k = m.classes.length;
  const realOf = (code: number): EnhancedSplit => {
    const s = splitOf(a, code);
    const origin: string[] = [];
    for (let i = 0; i < a.labels.length; i++) if (a.splits[i] === code) origin.push(a.names?.[i] ?? `index ${i}`);
    return { images: s.images, labels: s.labels, isSynthetic: new Uint8Array(s.labels.length), origin };
  };
  const train = realOf(SPLIT_CODE.train);
  const counts = syntheticCounts(classCounts(train.labels, k), { target: null, extra: o.extra, rounding: 'round' });
  const needed = counts.map((n, c) => (n > 0 ? c : -1)).filter((c) => c >= 0);
  const runs = needed.length ? pickGeneratorRuns(m, await listRuns(), needed, o.generatorRunIds) : new Map();
  const drawSeed = deriveSeed(o.seed, 0x5e7);
  const { pool, sources } = await syntheticPool(m, runs, counts, drawSeed, o.psi, signal, onClass);
  const enlarged = assembleEnlargedTrainSet(train, pool, k, { target: null, extra: o.extra, rounding: 'round' }, o.seed);
  const origin = [...train.origin];
  for (let i = train.labels.length; i < enlarged.labels.length; i++) {
    const run = runs.get(enlarged.labels[i] as number);
    origin.push(`generator ${run?.id ?? '?'} step ${run?.checkpointStep ?? '?'} seed ${drawSeed} image ${enlarged.poolIndex[i]}`);
  }
  return {
    meta: m,
    splits: {
      train: { images: enlarged.images, labels: enlarged.labels, isSynthetic: enlarged.isSynthetic, origin },
      val: realOf(SPLIT_CODE.val),
      test: realOf(SPLIT_CODE.test),
    },
    sources,
    syntheticCounts: counts,
  };
}

/** MedMNIST-style .npz bytes. */
export function enhancedNpz(d: EnhancedDataset): Uint8Array {
  const { size, channels } = d.meta;
  const arrays: Record<string, WritableArray> = {};
  for (const name of SPLITS) {
    const s = d.splits[name];
    const n = s.labels.length;
    arrays[`${name}_images`] = { dtype: 'u1', data: s.images, shape: channels === 1 ? [n, size, size] : [n, size, size, 3] };
    arrays[`${name}_labels`] = { dtype: 'u1', data: s.labels, shape: [n, 1] };
    arrays[`${name}_is_synthetic`] = { dtype: 'u1', data: s.isSynthetic, shape: [n] };
  }
  return encodeNpz(arrays);
}

/** A safe folder or file name part. */
function safe(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'class';
}

/** Zip of class folders with a manifest (PNG encoding needs OffscreenCanvas: worker or page). */
export async function enhancedZip(d: EnhancedDataset, signal?: AbortSignal): Promise<Uint8Array> {
  const { size, channels, classes } = d.meta;
  const px = size * size * channels;
  const files: Record<string, Uint8Array> = {};
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const manifest = ['file,split,class,is_synthetic,source'];
  const folders = classes.map(safe);
  for (const name of SPLITS) {
    const s = d.splits[name];
    const perClass = new Array<number>(classes.length).fill(0);
    for (let i = 0; i < s.labels.length; i++) {
      if (i % 64 === 0 && signal?.aborted) throw new CancelledError();
      const c = s.labels[i] as number;
      const n = (perClass[c] = (perClass[c] ?? 0) + 1);
      const kind = s.isSynthetic[i] ? 'synthetic' : 'real';
      const path = `${name}/${folders[c]}/${kind}_${String(n).padStart(5, '0')}.png`;
      files[path] = await encodePng(s.images.subarray(i * px, (i + 1) * px), size, size, channels);
      manifest.push([path, name, classes[c] ?? String(c), String(s.isSynthetic[i]), s.origin[i] ?? ''].map(q).join(','));
    }
  }
  files['manifest.csv'] = new TextEncoder().encode(`${manifest.join('\n')}\n`);
  return zipSync(files, { level: 0 });
}

export function enhancedFileName(meta: DatasetMeta, o: EnhancedExportOptions): string {
  return `${safe(meta.name)}-enhanced-extra${o.extra}-seed${o.seed}.${o.format}`;
}
