/**
 * Synthetic images for enlarging a dataset: `count` images from a class's EMA generator, at the dataset's
 * own size (generators run at 32 or 64 px; MedMNIST is 28), as uint8 pixels in the store's layout.
 *
 * Latents are seeded per (pool seed, class, batch), so a pool is reproduced exactly by its seed, and two
 * seeds of an experiment draw different images. Which generator (run id and checkpoint step) made a pool is
 * returned, so a report can name it.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/rng.ts';
import type { DatasetMeta } from '../data/store-types.ts';
import { DataError } from '../data/errors.ts';
import { CancelledError } from '../data/import/import-context.ts';
import type { GeneratorRunMeta } from './generator-runs.ts';
import { resizeSquare, toPixels } from './class-images.ts';
import { emaGenerator } from './run-sampler.ts';
import type { LabelledImages } from './enlargement.ts';

const BATCH = 16;

/** What made a class's synthetic images. */
export interface PoolSource {
  classIndex: number;
  className: string;
  runId: string;
  /** Checkpoint step the images came from, and the real images the generator had seen by then. */
  step: number;
  kimg: number;
  preset: string;
}

/**
 * The generator run to draw class c from: the given id, or else the dataset's run for that class with the
 * most training behind its checkpoint. Runs without a checkpoint cannot sample.
 */
export function pickGeneratorRuns(meta: DatasetMeta, runs: GeneratorRunMeta[], classes: number[], chosen: Record<number, string> = {}): Map<number, GeneratorRunMeta> {
  const out = new Map<number, GeneratorRunMeta>();
  const missing: string[] = [];
  for (const c of classes) {
    const wanted = chosen[c];
    const candidates = runs.filter((r) => r.datasetId === meta.id && r.classIndex === c && r.checkpointStep !== null && (wanted === undefined || r.id === wanted));
    const best = candidates.sort((a, b) => b.imagesSeen - a.imagesSeen)[0];
    if (best) out.set(c, best);
    else missing.push(meta.classes[c] ?? String(c));
  }
  if (missing.length) {
    throw new DataError(
      `No trained generator for class${missing.length > 1 ? 'es' : ''} ${missing.map((m) => `"${m}"`).join(', ')} of "${meta.name}": train ${missing.length > 1 ? 'them' : 'it'} in the Generators tab first (a few hundred steps are enough to try the pipeline).`,
      'bad-input',
    );
  }
  return out;
}

/** `count` images from a run's EMA generator at side `size`, truncated with psi. */
export async function generateClassImages(run: GeneratorRunMeta, count: number, size: number, seed: number, psi: number, signal?: AbortSignal): Promise<Uint8Array> {
  const g = await emaGenerator(run.id);
  const px = size * size * g.config.channels;
  const out = new Uint8Array(count * px);
  for (let start = 0, b = 0; start < count; start += BATCH, b++) {
    if (signal?.aborted) throw new CancelledError();
    const n = Math.min(BATCH, count - start);
    const images = tf.tidy(() => {
      const z = tf.randomNormal([n, g.config.zDim], 0, 1, 'float32', deriveSeed(seed, run.classIndex ?? 0, b)) as tf.Tensor2D;
      return resizeSquare(g.generate(z, { psi }), size);
    });
    try {
      out.set(await toPixels(images), start * px);
    } finally {
      images.dispose();
    }
    await new Promise((r) => setTimeout(r, 0)); // let a cancel message in
  }
  return out;
}

/**
 * A labelled pool holding counts[c] images of each class c from its generator (classes with count 0 are
 * skipped and need no generator).
 */
export async function syntheticPool(
  meta: DatasetMeta,
  runs: Map<number, GeneratorRunMeta>,
  counts: number[],
  seed: number,
  psi: number,
  signal?: AbortSignal,
  onClass?: (classIndex: number, count: number) => void,
): Promise<{ pool: LabelledImages; sources: PoolSource[] }> {
  const px = meta.size * meta.size * meta.channels;
  const total = counts.reduce((s, n) => s + n, 0);
  const images = new Uint8Array(total * px);
  const labels = new Uint8Array(total);
  const sources: PoolSource[] = [];
  let at = 0;
  for (let c = 0; c < counts.length; c++) {
    const n = counts[c] ?? 0;
    if (n === 0) continue;
    const run = runs.get(c);
    if (!run) throw new Error(`syntheticPool: no generator for class ${c}`);
    onClass?.(c, n);
    images.set(await generateClassImages(run, n, meta.size, seed, psi, signal), at * px);
    labels.fill(c, at, at + n);
    at += n;
    sources.push({ classIndex: c, className: meta.classes[c] ?? String(c), runId: run.id, step: run.checkpointStep ?? 0, kimg: run.imagesSeen / 1000, preset: run.preset });
  }
  return { pool: { images, labels }, sources };
}
