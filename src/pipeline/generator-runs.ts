/**
 * Stored generator runs: one per (dataset, class) training, with its curves, quality measurements and
 * latest checkpoint, in the app's IndexedDB store.
 *
 *   'genruns'              -> { schema, ids }       index of runs, in creation order
 *   'genrun:<id>:meta'     -> GeneratorRunMeta      small: status, counters, curves (read for listings)
 *   'genrun:<id>:ckpt'     -> GanCheckpoint         large: weights, optimiser moments (read to resume/sample)
 *
 * A checkpoint and the meta that names its step are written in one transaction, so a crash between the two
 * cannot leave a run whose curve claims steps its weights do not have.
 */
import { delMany, get, getMany, set, setMany } from 'idb-keyval';
import { db, isQuotaError } from '../data/idb.ts';
import { DataError } from '../data/errors.ts';
import type { GanPresetName, GanResolution, ImageChannels } from '../models/generator-config.ts';
import type { GanCheckpoint } from '../train/checkpoint.ts';

export const RUNS_SCHEMA_VERSION = 1;

export type RunStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed';

/** One logged training step (a thinned-out subset of all steps is kept). */
export interface CurvePoint {
  step: number;
  kimg: number;
  lossG: number;
  lossD: number;
  r1: number | null;
  augmentP: number;
  realSign: number;
  /** Seconds of training so far. */
  seconds: number;
}

/** One quality measurement of the EMA generator against the class's real training images. */
export interface QualityPoint {
  kimg: number;
  step: number;
  kid: number;
  kidStd: number;
  fd: number;
  nReal: number;
  nFake: number;
  /** Share of generated samples closer to a training image than real images are to each other. */
  nearCopyRate: number;
}

export interface GeneratorRunMeta {
  schema: number;
  id: string;
  datasetId: string;
  datasetName: string;
  /** Class index the generator learns, or null for a whole unlabelled set. */
  classIndex: number | null;
  className: string;
  /** Real training images of this class. */
  realCount: number;
  preset: GanPresetName;
  resolution: GanResolution;
  channels: ImageChannels;
  batchSize: number;
  seed: number;
  kimgTarget: number;
  /** What augments D's inputs, in words (shown in the UI and reports). */
  augmentation: string;
  parameters: { generator: number; discriminator: number };
  status: RunStatus;
  /** Why a run paused or failed, or what it is doing, for the user. */
  message: string;
  step: number;
  imagesSeen: number;
  seconds: number;
  checkpointStep: number | null;
  curve: CurvePoint[];
  quality: QualityPoint[];
  featureExtractor: string | null;
  /** The latest measurement's closest (generated, real) pairs, for the memorisation view. */
  closestPairs: { fake: Uint8Array; real: Uint8Array; featureDistance: number; pixelDistance: number }[];
  createdAt: string;
  updatedAt: string;
}

const INDEX_KEY = 'genruns';
const metaKey = (id: string) => `genrun:${id}:meta`;
const ckptKey = (id: string) => `genrun:${id}:ckpt`;
/** Curve points kept per run: older points are thinned to every other one when this is exceeded. */
const MAX_CURVE_POINTS = 1500;

interface RunIndex {
  schema: number;
  ids: string[];
}

function runError(err: unknown, what: string): Error {
  if (isQuotaError(err)) {
    return new DataError(`Storage is full: could not save ${what}. Training paused; free space (delete a dataset or old runs) and resume.`, 'storage-full');
  }
  return err instanceof Error ? err : new Error(String(err));
}

async function ids(): Promise<string[]> {
  const index = await get<RunIndex>(INDEX_KEY, db());
  if (index && index.schema > RUNS_SCHEMA_VERSION) {
    throw new DataError(`Generator runs here were saved by a newer version of the app (schema ${index.schema}).`, 'store-newer');
  }
  return index?.ids ?? [];
}

export async function listRuns(): Promise<GeneratorRunMeta[]> {
  const all = await ids();
  const metas = await getMany<GeneratorRunMeta | undefined>(all.map(metaKey), db());
  return metas.filter((m): m is GeneratorRunMeta => m !== undefined);
}

export async function getRun(id: string): Promise<GeneratorRunMeta> {
  const m = await get<GeneratorRunMeta>(metaKey(id), db());
  if (!m) throw new DataError(`No generator run ${id} is stored in this browser.`, 'not-found');
  return m;
}

export async function getCheckpoint(id: string): Promise<GanCheckpoint | null> {
  return (await get<GanCheckpoint>(ckptKey(id), db())) ?? null;
}

export async function createRun(meta: GeneratorRunMeta): Promise<void> {
  try {
    await setMany([[metaKey(meta.id), meta], [INDEX_KEY, { schema: RUNS_SCHEMA_VERSION, ids: [...(await ids()), meta.id] }]], db());
  } catch (err) {
    throw runError(err, 'the new generator run');
  }
}

/** Saves the meta alone (status, curves between checkpoints). */
export async function saveMeta(meta: GeneratorRunMeta): Promise<void> {
  try {
    await set(metaKey(meta.id), { ...meta, curve: thin(meta.curve), updatedAt: new Date().toISOString() }, db());
  } catch (err) {
    throw runError(err, 'the run record');
  }
}

/** Saves a checkpoint and the meta that refers to it, atomically. */
export async function saveCheckpointWithMeta(meta: GeneratorRunMeta, checkpoint: GanCheckpoint): Promise<void> {
  const m = { ...meta, checkpointStep: checkpoint.step, curve: thin(meta.curve), updatedAt: new Date().toISOString() };
  try {
    await setMany([[ckptKey(meta.id), checkpoint], [metaKey(meta.id), m]], db());
  } catch (err) {
    throw runError(err, `the checkpoint at step ${checkpoint.step}`);
  }
}

export async function deleteRun(id: string): Promise<void> {
  await set(INDEX_KEY, { schema: RUNS_SCHEMA_VERSION, ids: (await ids()).filter((x) => x !== id) }, db());
  await delMany([metaKey(id), ckptKey(id)], db());
}

/** Keeps curves bounded: once over the cap, every other point of the older half is dropped. */
export function thin(curve: CurvePoint[]): CurvePoint[] {
  if (curve.length <= MAX_CURVE_POINTS) return curve;
  const half = Math.floor(curve.length / 2);
  return [...curve.slice(0, half).filter((_, i) => i % 2 === 0), ...curve.slice(half)];
}
