/**
 * Trains one generator per class of a dataset, the classes queued one after another (RECIPE §1): each
 * generator sees only its own class's training split. A segmentation set without class labels gets one
 * generator on all its training images.
 *
 * Runs are resumable: each is stored with its checkpoint (generator-runs.ts), so a stop, a reload or a
 * crash continues from the last checkpoint, and the curves continue with it. A NaN loss or a lost GPU
 * pauses the run at its last good checkpoint with a message saying so.
 */
import * as tf from '@tensorflow/tfjs';
import { datasetArrays } from '../data/read-dataset.ts';
import { deriveSeed, mulberry32 } from '../data/rng.ts';
import { lostWithin, watchDevice, type DeviceHealth } from '../gpu/device-watch.ts';
import type { GanPresetName, GanResolution } from '../models/generator-config.ts';
import { firstNonFinite, restoreCheckpoint, saveCheckpoint, type GanCheckpoint } from '../train/checkpoint.ts';
import { ganTrainingPreset } from '../train/gan-config.ts';
import { createGanState, disposeGanState, type GanState } from '../train/gan-state.ts';
import { ganStep, type GanStepStats } from '../train/gan-step.ts';
import type { DatasetArraysMessage } from '../worker/protocol.ts';
import { classTrainIndices, imagesTensor } from './class-images.ts';
import { createRun, getCheckpoint, listRuns, saveCheckpointWithMeta, saveMeta, thin, RUNS_SCHEMA_VERSION, type CurvePoint, type GeneratorRunMeta, type QualityPoint } from './generator-runs.ts';
import { applyPendingFault, trainingLoopStarted } from './fault-injection.ts';
import { datasetExtractor, DEFAULT_QUALITY, measureQuality, type QualityOptions } from './quality.ts';
import { sampleGrid, type SampleGrid } from './sample-grid.ts';
import type { FeatureExtractor } from '../metrics/feature-extractor.ts';

export interface TrainGeneratorsOptions {
  datasetId: string;
  preset: GanPresetName;
  /** Thousands of real images each generator is shown in total (a resumed run counts what it has done). */
  kimg: number;
  /** Generator output size; default 32 for datasets up to 32 px, else 64. */
  resolution?: GanResolution;
  batchSize?: number;
  seed?: number;
  /** Only these classes (indices); default all. */
  classes?: number[];
  /** Seconds between checkpoints (default 60); one is always written when a run stops. */
  checkpointSeconds?: number;
  /** Seconds between sample-grid refreshes (default 20). */
  sampleSeconds?: number;
  /** FD/KID/near-copy measurement settings, or false to skip measuring. */
  quality?: Partial<QualityOptions> | false;
  /** Measure every this many kimg (default: a quarter of the run, at least 0.5 kimg), plus at the start and the end. */
  qualityEveryKimg?: number;
}

/** What the UI hears while a generator trains. */
export interface TrainTick {
  runId: string;
  className: string;
  status: GeneratorRunMeta['status'];
  step: number;
  imagesSeen: number;
  kimgTarget: number;
  stepsPerSecond: number;
  etaSeconds: number | null;
  point: CurvePoint | null;
  samples: SampleGrid | null;
  quality: QualityPoint | null;
  message: string;
}

type Emit = (tick: TrainTick) => void;

/** Describes the augmentation D sees, for the UI and reports. */
const AUGMENTATION = 'ADA: adaptive probability p (target r_t = 0.6) of x-flip, integer translation, brightness and contrast, applied to real and generated images alike';

function newRunId(): string {
  return `gr-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

function pickResolution(size: number, wanted?: GanResolution): GanResolution {
  return wanted ?? (size <= 32 ? 32 : 64);
}

/** Finds the unfinished run for this dataset, class and setting, or makes a new one. */
async function runFor(a: DatasetArraysMessage, classIndex: number | null, opts: TrainGeneratorsOptions): Promise<GeneratorRunMeta> {
  const resolution = pickResolution(a.meta.size, opts.resolution);
  const batchSize = opts.batchSize ?? 16;
  const seed = opts.seed ?? 0;
  const existing = (await listRuns()).find(
    (r) => r.datasetId === a.meta.id && r.classIndex === classIndex && r.preset === opts.preset && r.resolution === resolution && r.batchSize === batchSize && r.seed === seed && r.status !== 'failed',
  );
  if (existing) return { ...existing, kimgTarget: Math.max(opts.kimg, existing.kimgTarget) };
  const config = ganTrainingPreset(opts.preset, resolution, a.meta.channels, { batchSize, seed });
  const probe = createGanState(config);
  const parameters = { generator: probe.G.parameterCount(), discriminator: probe.D.parameterCount() };
  disposeGanState(probe);
  const now = new Date().toISOString();
  const meta: GeneratorRunMeta = {
    schema: RUNS_SCHEMA_VERSION,
    id: newRunId(),
    datasetId: a.meta.id,
    datasetName: a.meta.name,
    classIndex,
    className: classIndex === null ? 'all images' : a.meta.classes[classIndex]!,
    realCount: classTrainIndices(a, classIndex).length,
    preset: opts.preset,
    resolution,
    channels: a.meta.channels,
    batchSize,
    seed,
    kimgTarget: opts.kimg,
    augmentation: AUGMENTATION,
    parameters,
    status: 'queued',
    message: 'waiting for its turn',
    step: 0,
    imagesSeen: 0,
    seconds: 0,
    checkpointStep: null,
    curve: [],
    quality: [],
    featureExtractor: null,
    closestPairs: [],
    createdAt: now,
    updatedAt: now,
  };
  await createRun(meta);
  return meta;
}

export async function trainGenerators(opts: TrainGeneratorsOptions, signal: AbortSignal, emit: Emit): Promise<GeneratorRunMeta[]> {
  if (!(opts.kimg > 0)) throw new Error(`kimg must be positive (got ${opts.kimg}).`);
  // After a device loss this worker's tfjs backend is dead: say so plainly rather than fail on the first GPU call.
  const device = watchDevice();
  if (device.lost) throw new Error(`${device.reason}, so nothing more can run on it. Reload the page to get a new GPU device, then resume: training continues from the last checkpoint.`);
  const a = await datasetArrays(opts.datasetId);
  const classIndices: (number | null)[] = a.meta.labelled ? (opts.classes ?? a.meta.classes.map((_, i) => i)) : [null];
  const runs: GeneratorRunMeta[] = [];
  for (const c of classIndices) {
    const run = await runFor(a, c, opts);
    if (run.realCount === 0) throw new Error(`Class "${run.className}" has no training images; a generator cannot learn it.`);
    runs.push(run);
  }
  const results: GeneratorRunMeta[] = [];
  let extractor: FeatureExtractor | null = null;
  try {
    for (const run of runs) {
      if (signal.aborted) break;
      if (opts.quality !== false && !extractor && run.imagesSeen < run.kimgTarget * 1000) {
        const q = { ...DEFAULT_QUALITY, ...(opts.quality ?? {}) };
        extractor = await datasetExtractor(a, run.resolution, q, (message) => emit({ ...idleTick(run), message }));
      }
      results.push(await trainOne(a, run, opts, signal, emit, extractor));
      if (results.at(-1)!.status === 'paused' && !signal.aborted) break; // a NaN or a lost GPU stops the queue
    }
  } catch (err) {
    // A device lost outside a run's steps (e.g. while the FD/KID extractor trains) fails whatever GPU call was
    // in flight with a message about buffers or mapping: name the real cause instead.
    if (await lostWithin(1000)) throw new Error(`${device.reason}. Reload the page to get a new GPU device, then resume: training continues from the last checkpoint.`);
    throw err;
  } finally {
    try {
      extractor?.dispose();
    } catch {
      /* a lost device can refuse to free its buffers; the page reload frees everything */
    }
  }
  return results;
}

function idleTick(run: GeneratorRunMeta): TrainTick {
  return { runId: run.id, className: run.className, status: run.status, step: run.step, imagesSeen: run.imagesSeen, kimgTarget: run.kimgTarget, stepsPerSecond: 0, etaSeconds: null, point: null, samples: null, quality: null, message: '' };
}

async function loadState(run: GeneratorRunMeta, channels: 1 | 3): Promise<GanState> {
  const ckpt: GanCheckpoint | null = run.checkpointStep !== null ? await getCheckpoint(run.id) : null;
  if (ckpt) return restoreCheckpoint(ckpt);
  return createGanState(ganTrainingPreset(run.preset, run.resolution, channels, { batchSize: run.batchSize, seed: run.seed }));
}

async function trainOne(a: DatasetArraysMessage, start: GeneratorRunMeta, opts: TrainGeneratorsOptions, signal: AbortSignal, emit: Emit, extractor: FeatureExtractor | null): Promise<GeneratorRunMeta> {
  const device = watchDevice();
  let meta: GeneratorRunMeta = { ...start, status: 'running', message: start.step > 0 ? `resumed at step ${start.step}` : 'training' };
  // Steps since the last checkpoint are lost on resume: the curve is cut back to what the weights know.
  meta.curve = meta.curve.filter((p) => meta.checkpointStep !== null && p.step < meta.checkpointStep);
  const state = await loadState(meta, a.meta.channels);
  meta.step = state.step;
  meta.imagesSeen = state.imagesSeen;
  const indices = classTrainIndices(a, meta.classIndex);
  const real = imagesTensor(a, indices, meta.resolution);
  const target = meta.kimgTarget * 1000;
  const checkpointEvery = (opts.checkpointSeconds ?? 60) * 1000;
  const sampleEvery = (opts.sampleSeconds ?? 20) * 1000;
  let lastCheckpoint = performance.now();
  let lastSample = -Infinity;
  let lastTickAt = performance.now();
  const recent: number[] = [];

  const qualityOpts = { ...DEFAULT_QUALITY, ...(opts.quality || {}) };
  // A measurement costs hundreds of generated images: never more often than every 0.5 kimg by default.
  const qualityEvery = (opts.qualityEveryKimg ?? Math.max(meta.kimgTarget / 4, 0.5)) * 1000;
  let nextQuality = meta.quality.length ? (meta.quality.at(-1)!.kimg * 1000 + qualityEvery) : 0;
  const measure = async (): Promise<QualityPoint | null> => {
    if (!extractor) return null;
    meta.message = `measuring FD/KID on ${qualityOpts.nFake} samples`;
    tick(null, null, null);
    const q = await measureQuality(state.gEma, a, meta.classIndex, extractor, qualityOpts, meta.seed);
    const point: QualityPoint = { kimg: meta.imagesSeen / 1000, step: meta.step, kid: q.kid, kidStd: q.kidStd, fd: q.fd, nReal: q.nReal, nFake: q.nFake, nearCopyRate: q.nearCopyRate };
    meta.quality = [...meta.quality.filter((p) => p.step !== point.step), point];
    meta.closestPairs = q.closest;
    meta.featureExtractor = q.extractor;
    meta.message = 'training';
    nextQuality = meta.imagesSeen + qualityEvery;
    return point;
  };

  const tick = (point: CurvePoint | null, samples: SampleGrid | null, quality: QualityPoint | null = null) => {
    const rate = recent.length > 1 ? (recent.length - 1) / ((recent.at(-1)! - recent[0]!) / 1000) : 0;
    const remaining = Math.max(0, Math.ceil((target - meta.imagesSeen) / meta.batchSize));
    emit({
      runId: meta.id,
      className: meta.className,
      status: meta.status,
      step: meta.step,
      imagesSeen: meta.imagesSeen,
      kimgTarget: meta.kimgTarget,
      stepsPerSecond: rate,
      etaSeconds: rate > 0 ? remaining / rate : null,
      point,
      samples,
      quality,
      message: meta.message,
    });
  };

  const checkpoint = async () => {
    const saved = await saveCheckpoint(state);
    // Reads from a device lost meanwhile are not trusted, even where they did not fail.
    if (device.lost) throw new PauseError(deviceLostMessage(device, meta.checkpointStep));
    // A step can report finite losses and still leave non-finite weights behind (its own update overflowed;
    // the losses were computed before it). Writing those would replace the last good checkpoint with broken
    // weights that every resume then starts from, so they are refused and the run pauses like a NaN loss.
    const bad = firstNonFinite(saved);
    if (bad) throw new PauseError(`The weights became NaN/infinite by step ${state.step} (in ${bad}), so they were not saved. ${pausedAt(meta.checkpointStep, 'last good ')}. ${NAN_ADVICE}`);
    meta.curve = thin(meta.curve); // bounded in memory too, not only in storage
    await saveCheckpointWithMeta(meta, saved);
    meta.checkpointStep = state.step;
    lastCheckpoint = performance.now();
  };

  const loopEnded = trainingLoopStarted();
  try {
    await saveMeta(meta);
    tick(null, await sampleGrid(state.gEma, meta.seed));
    if (meta.imagesSeen >= nextQuality && meta.imagesSeen < target) tick(null, null, await measure());
    while (meta.imagesSeen < target && !signal.aborted) {
      const t0 = performance.now();
      const batch = tf.tidy(() => {
        const rand = mulberry32(deriveSeed(meta.seed, state.step, 0xba7c));
        const idx = Array.from({ length: meta.batchSize }, () => Math.floor(rand() * indices.length));
        return tf.gather(real, idx) as tf.Tensor4D;
      });
      let stats: GanStepStats;
      try {
        applyPendingFault(state); // tests only: does nothing unless a test asked for a NaN
        stats = await ganStep(state, batch);
      } finally {
        batch.dispose();
      }
      if (device.lost) throw new PauseError(deviceLostMessage(device, meta.checkpointStep));
      const lossesFinite = Number.isFinite(stats.lossG) && Number.isFinite(stats.lossD) && (stats.r1 === null || Number.isFinite(stats.r1));
      // The weights are checked too: on WebGPU a NaN weight was seen to leave every loss finite for steps on end
      // (tests/e2e/training-faults.spec.ts; WGSL lets min/max/clamp return the non-NaN operand, so the clamps
      // in the generator can turn a NaN into a number), and the periodic checkpoint then caught it late.
      if (!lossesFinite || !(await weightsFinite(state))) {
        if (device.lost) throw new PauseError(deviceLostMessage(device, meta.checkpointStep));
        // Counted from 1 like the step counter the user sees: step k+1 is the one that starts after checkpoint k.
        throw new PauseError(`The ${lossesFinite ? 'weights' : 'losses'} became NaN/infinite in step ${stats.step + 1} (losses G ${num(stats.lossG)}, D ${num(stats.lossD)}). ${pausedAt(meta.checkpointStep, 'last good ')}. ${NAN_ADVICE}`);
      }
      const now = performance.now();
      recent.push(now);
      if (recent.length > 20) recent.shift();
      meta.step = state.step;
      meta.imagesSeen = state.imagesSeen;
      meta.seconds += (now - t0) / 1000;
      const point: CurvePoint = { step: stats.step, kimg: meta.imagesSeen / 1000, lossG: stats.lossG, lossD: stats.lossD, r1: stats.r1, augmentP: stats.augmentP, realSign: stats.realSign, seconds: meta.seconds };
      meta.curve.push(point);
      let samples: SampleGrid | null = null;
      if (now - lastSample >= sampleEvery) {
        samples = await sampleGrid(state.gEma, meta.seed);
        lastSample = now;
      }
      const quality = meta.imagesSeen >= nextQuality && meta.imagesSeen < target ? await measure() : null;
      if (now - lastCheckpoint >= checkpointEvery) await checkpoint();
      if (samples || quality || now - lastTickAt > 250 || meta.imagesSeen >= target) {
        tick(point, samples, quality);
        lastTickAt = now;
      }
    }
    const finished = meta.imagesSeen >= target;
    const finalQuality = finished && !meta.quality.some((p) => p.step === meta.step) ? await measure() : null;
    meta.status = finished ? 'done' : 'paused';
    meta.message = finished ? `trained for ${(meta.imagesSeen / 1000).toFixed(3)} kimg` : `stopped at step ${meta.step}; resume continues from here`;
    await checkpoint();
    tick(null, await sampleGrid(state.gEma, meta.seed), finalQuality);
    return meta;
  } catch (err) {
    // A lost device fails whichever GPU call is in flight (a step's readback, a sample grid, a checkpoint's
    // reads) with tfjs's own error, often before GPUDevice.lost has even resolved: wait briefly for the loss,
    // and if it is that, pause like the check after each step does instead of failing the job with a
    // message about buffers (and leaving the stored run marked 'running').
    const pause = err instanceof PauseError ? err : (await lostWithin(1000)) ? new PauseError(deviceLostMessage(device, meta.checkpointStep)) : null;
    if (!pause) throw err;
    // Back to the last good weights: what was trained since is discarded, and said so.
    meta.status = 'paused';
    meta.message = pause.message;
    meta.step = meta.checkpointStep ?? 0;
    meta.imagesSeen = meta.step * meta.batchSize;
    meta.curve = meta.curve.filter((p) => p.step < meta.step);
    // Measurements of weights newer than the checkpoint went with them.
    meta.quality = meta.quality.filter((p) => p.step <= meta.step);
    await saveMeta(meta);
    tick(null, null);
    return meta;
  } finally {
    loopEnded();
    try {
      real.dispose();
      disposeGanState(state);
    } catch {
      /* a lost device can refuse even to free its buffers; the page reload frees everything */
    }
  }
}

class PauseError extends Error {}

/**
 * Whether every trainable weight of G and D is finite, computed on the device with one small readback.
 * tfjs's IsFinite tests the bit pattern on WebGPU, so it holds where NaN-unaware arithmetic does not.
 */
async function weightsFinite(state: GanState): Promise<boolean> {
  const ok = tf.tidy(() => {
    const all = tf.concat([...state.G.trainableVariables(), ...state.D.trainableVariables()].map((v) => v.reshape([-1])));
    return tf.min(tf.cast(tf.isFinite(all), 'float32'));
  });
  try {
    return (await ok.data())[0] === 1;
  } finally {
    ok.dispose();
  }
}

/** Where a paused run stands, for its message: at its checkpoint, or back at the start if none was written. */
function pausedAt(checkpointStep: number | null, which: string): string {
  return checkpointStep === null
    ? 'Training paused before its first checkpoint was written; resuming starts again from step 0'
    : `Training paused at the ${which}checkpoint (step ${checkpointStep}); the steps since were discarded`;
}

const num = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

/** Resuming replays the same random draws, so a real numerical blow-up is likely to come back. */
const NAN_ADVICE = 'Resuming retries from there; if it happens again, start a new run with another batch size or preset.';

function deviceLostMessage(device: DeviceHealth, checkpointStep: number | null): string {
  return `${device.reason}. ${pausedAt(checkpointStep, 'last ')}. Reload the page to get a new GPU device, then resume.`;
}
