/**
 * The pseudo-labelling experiment in the engine worker: checks the settings and the data, draws the
 * synthetic images from the dataset's generators, creates the stored experiment, and runs its rounds
 * (seg-rounds.ts) through the IndexedDB store; or continues a stored experiment (more rounds, after a
 * review, or a branch). Also reads a round back for the review grid.
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../data/errors.ts';
import { CancelledError } from '../data/import/import-context.ts';
import { datasetArrays } from '../data/read-dataset.ts';
import { deriveSeed } from '../data/rng.ts';
import { SPLIT_CODE } from '../data/types.ts';
import { UNET_PRESETS, unetPreset } from '../models/unet-config.ts';
import { SEG_LOSSES } from '../train/adaptive-kappa.ts';
import type { MaskSplit } from '../train/seg-data.ts';
import type { DatasetArraysMessage } from '../worker/protocol.ts';
import { listRuns } from './generator-runs.ts';
import { runRounds, type SegmentTick } from './seg-rounds.ts';
import { decidePseudoLabels } from './seg-selection.ts';
import { vmunetPreset } from '../models/vmunet-config.ts';
import { vmunetSize } from './seg-rounds.ts';
import { SEG_MODELS, SEGMENT_SCHEMA_VERSION, type SegContinueChanges, type SegmentExperiment, type SegmentExperimentOptions, type SegRoundData, type SegRoundSettings } from './seg-rounds-record.ts';
import { createSegmentExperiment, getSegmentExperiment, getSynthetic, idbSegStore, newSegmentId, withChanges } from './seg-runs.ts';
import { generateSegSynthetic, pickSegGenerators, splitProportionally, type SegSyntheticSet } from './seg-synthetic.ts';

export type { SegmentTick } from './seg-rounds.ts';

/** The images of `a` whose split code is in `codes`, with their masks. */
export function maskSplitOf(a: DatasetArraysMessage, codes: readonly number[]): MaskSplit {
  const { size, channels } = a.meta;
  if (!a.masks) throw new DataError(`"${a.meta.name}" has no masks: pseudo-labelling needs a segmentation set (image + mask pairs).`, 'bad-input');
  const px = size * size * channels;
  const mpx = size * size;
  const idx: number[] = [];
  for (let i = 0; i < a.splits.length; i++) if (codes.includes(a.splits[i] as number)) idx.push(i);
  const images = new Uint8Array(idx.length * px);
  const masks = new Uint8Array(idx.length * mpx);
  idx.forEach((src, k) => {
    images.set(a.images.subarray(src * px, (src + 1) * px), k * px);
    masks.set(a.masks!.subarray(src * mpx, (src + 1) * mpx), k * mpx);
  });
  return { images, masks, size, channels };
}

const bad = (m: string) => new DataError(m, 'bad-input');

/** Checks settings that apply to every round (also on continue and branch). */
export function validateRoundSettings(s: SegRoundSettings, size: number, channels: 1 | 3): void {
  if (!SEG_MODELS.includes(s.model)) throw bad(`Unknown segmenter "${String(s.model)}" (one of ${SEG_MODELS.join(', ')}).`);
  if (!UNET_PRESETS.includes(s.preset)) throw bad(`Unknown U-Net size "${String(s.preset)}" (one of ${UNET_PRESETS.join(', ')}).`);
  if (!SEG_LOSSES.includes(s.loss)) throw bad(`Unknown loss "${String(s.loss)}" (one of ${SEG_LOSSES.join(', ')}).`);
  const t = s.training;
  if (!(Number.isInteger(t.epochs) && t.epochs >= 1 && t.epochs <= 1000)) throw bad(`Epochs must be a whole number from 1 to 1000 (got ${t.epochs}).`);
  if (!(Number.isInteger(t.batchSize) && t.batchSize >= 2 && t.batchSize <= 256)) throw bad(`Batch size must be from 2 to 256 (got ${t.batchSize}).`);
  if (!(t.learningRate > 0 && t.learningRate < 1)) throw bad(`The learning rate must be between 0 and 1 (got ${t.learningRate}).`);
  if (!(s.threshold >= 0 && s.threshold <= 1)) throw bad(`The confidence threshold must be from 0 to 1 (got ${s.threshold}).`);
  if (s.weighting !== 'uniform' && s.weighting !== 'confidence') throw bad(`Weighting must be "uniform" or "confidence" (got ${String(s.weighting)}).`);
  try {
    if (s.model === 'vmunet') vmunetPreset(vmunetSize(s.preset), { inputSize: size, channels });
    else unetPreset(s.preset, { inputSize: size, channels });
  } catch (err) {
    const name = s.model === 'vmunet' ? `${vmunetSize(s.preset)} VM-UNet-lite` : `${s.preset} U-Net`;
    throw bad(`The ${name} cannot take ${size} px images: ${(err as Error).message.replace(/^(U-Net|VM-UNet[^:]*) config: /, '')}.`);
  }
}

/** Checks the settings and the data before anything long starts; every problem is one specific message. */
export function validateSegmentExperiment(o: SegmentExperimentOptions, a: DatasetArraysMessage, test: DatasetArraysMessage | null): void {
  const m = a.meta;
  if (m.kind !== 'segmentation' || !a.masks) throw bad(`"${m.name}" has no masks: pseudo-labelling needs a segmentation set (image + mask pairs, or the phantoms).`);
  validateRoundSettings(o, m.size, m.channels);
  if (!(Number.isInteger(o.rounds) && o.rounds >= 0 && o.rounds <= 10)) throw bad(`Rounds must be a whole number from 0 to 10 (got ${o.rounds}).`);
  if (o.syntheticCount !== null && !(Number.isInteger(o.syntheticCount) && o.syntheticCount >= 0 && o.syntheticCount <= 20000)) throw bad(`The synthetic image count must be a whole number from 0 to 20000 (got ${o.syntheticCount}).`);
  if (!(o.psi > 0 && o.psi <= 1)) throw bad(`Truncation psi must be in (0, 1] (got ${o.psi}).`);
  if (!(Number.isInteger(o.seed) && o.seed >= 0)) throw bad(`The seed must be a whole number from 0 (got ${o.seed}).`);
  const count = (code: number) => a.splits.reduce((s, x) => s + (x === code ? 1 : 0), 0);
  if (count(SPLIT_CODE.train) < 2) throw bad(`"${m.name}" has fewer than 2 training images.`);
  if (count(SPLIT_CODE.val) === 0) throw bad(`"${m.name}" has no validation images: the rounds pick their epoch and the adaptive kappa on them; re-import it with a validation share above 0.`);
  if (test) {
    if (!test.masks) throw bad(`The test set "${test.meta.name}" has no masks.`);
    if (test.meta.size !== m.size || test.meta.channels !== m.channels) throw bad(`The test set "${test.meta.name}" is ${test.meta.size}x${test.meta.size}x${test.meta.channels}, the data ${m.size}x${m.size}x${m.channels}: import it at the same size.`);
  } else if (count(SPLIT_CODE.test) === 0) {
    throw bad(`"${m.name}" has no test images: re-import it with a test share above 0, or give an external test set.`);
  }
  if (o.rounds > 0 && o.syntheticCount === 0) throw bad('Pseudo-label rounds need synthetic images: set a synthetic count above 0 (or 0 rounds for the baseline only).');
}

interface Loaded {
  train: MaskSplit;
  val: MaskSplit;
  test: MaskSplit;
  arrays: DatasetArraysMessage;
  testName: string;
}

async function loadData(o: SegmentExperimentOptions): Promise<Loaded> {
  const a = await datasetArrays(o.datasetId);
  const t = o.testDatasetId ? await datasetArrays(o.testDatasetId) : null;
  validateSegmentExperiment(o, a, t);
  return {
    arrays: a,
    train: maskSplitOf(a, [SPLIT_CODE.train]),
    val: maskSplitOf(a, [SPLIT_CODE.val]),
    test: t ? maskSplitOf(t, [SPLIT_CODE.train, SPLIT_CODE.val, SPLIT_CODE.test]) : maskSplitOf(a, [SPLIT_CODE.test]),
    testName: t ? `${t.meta.name} (external, all ${t.meta.count} images)` : `${a.meta.name} test split`,
  };
}

const countOf = (s: MaskSplit) => s.images.length / (s.size * s.size * s.channels);

/** Runs the rounds of `exp` up to `lastRound`, keeping status and message right whatever happens. */
async function drive(exp: SegmentExperiment, d: Loaded, lastRound: number, signal: AbortSignal, emit: (t: SegmentTick) => void): Promise<SegmentExperiment> {
  const t0 = performance.now();
  const before = exp.seconds;
  const synthetic = await getSynthetic(exp.id);
  exp.status = 'running';
  exp.message = `training round ${exp.rounds.length}`;
  exp.backend = tf.getBackend();
  await idbSegStore.saveExperiment(exp);
  try {
    await runRounds({ exp, train: d.train, val: d.val, test: d.test, synthetic, store: idbSegStore, signal, emit }, lastRound);
    exp.status = 'done';
    exp.message = `${exp.rounds.length} round${exp.rounds.length === 1 ? '' : 's'} done (0 = real only)`;
  } catch (err) {
    const cancelled = err instanceof CancelledError;
    exp.status = cancelled ? 'stopped' : 'failed';
    exp.message = cancelled ? `Stopped after ${exp.rounds.length} finished round${exp.rounds.length === 1 ? '' : 's'}; they are kept, and "continue" trains the next one.` : `Failed: ${(err as Error).message}`;
    exp.seconds = before + (performance.now() - t0) / 1000;
    await idbSegStore.saveExperiment(exp).catch(() => undefined);
    if (!cancelled) throw err;
    return exp;
  }
  exp.seconds = before + (performance.now() - t0) / 1000;
  await idbSegStore.saveExperiment(exp);
  return exp;
}

/** A new experiment: synthetic images drawn and stored, then rounds 0..options.rounds. */
export async function runSegmentExperiment(o: SegmentExperimentOptions, signal: AbortSignal, emit: (t: SegmentTick) => void): Promise<SegmentExperiment> {
  const d = await loadData(o);
  const m = d.arrays.meta;
  const nTrain = countOf(d.train);
  const total = o.syntheticCount ?? nTrain;
  const id = newSegmentId();
  const say = (message: string) => emit({ experimentId: id, round: 0, lastRound: o.rounds, epoch: 0, epochs: o.training.epochs, message });
  let set: SegSyntheticSet = { images: new Uint8Array(0), classIndex: new Int16Array(0), ids: [] };
  let sources: SegmentExperiment['synthetic'] = [];
  if (total > 0) {
    const generators = pickSegGenerators(m, await listRuns(), o.generatorRunIds);
    const counts = new Map<number | null, number>();
    if (m.labelled) {
      const real = m.classes.map((_, c) => {
        let n = 0;
        for (let i = 0; i < d.arrays.labels.length; i++) if (d.arrays.splits[i] === SPLIT_CODE.train && d.arrays.labels[i] === c) n++;
        return n;
      });
      splitProportionally(total, real).forEach((n, c) => counts.set(c, n));
    } else counts.set(null, total);
    ({ set, sources } = await generateSegSynthetic(m, generators, counts, deriveSeed(o.seed, 0x5e7), o.psi, signal, (name, n) => say(`generating ${n} synthetic "${name}" images`)));
  }
  if (signal.aborted) throw new CancelledError();
  const now = new Date().toISOString();
  const exp: SegmentExperiment = {
    schema: SEGMENT_SCHEMA_VERSION,
    id,
    datasetId: m.id,
    datasetName: m.name,
    options: { ...o, training: { ...o.training } },
    parent: null,
    backend: tf.getBackend(),
    splitSizes: { train: nTrain, val: countOf(d.val), test: countOf(d.test) },
    testSource: d.testName,
    size: m.size,
    channels: m.channels,
    synthetic: sources,
    status: 'running',
    message: 'starting',
    rounds: [],
    createdAt: now,
    updatedAt: now,
    seconds: 0,
  };
  await createSegmentExperiment(exp, set);
  return drive(exp, d, o.rounds, signal, emit);
}

/** `rounds` more rounds of a stored experiment (after a stop, a review, or on a fresh branch), with optional new settings. */
export async function continueSegmentExperiment(experimentId: string, rounds: number, changes: SegContinueChanges, signal: AbortSignal, emit: (t: SegmentTick) => void): Promise<SegmentExperiment> {
  const stored = await getSegmentExperiment(experimentId);
  if (stored.status === 'running') throw bad('The experiment is already running.');
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10)) throw bad(`Rounds to add must be a whole number from 1 to 10 (got ${rounds}).`);
  const exp = withChanges(stored, changes);
  validateRoundSettings(exp.options, exp.size, exp.channels);
  const lastRound = exp.rounds.length - 1 + rounds;
  if (exp.rounds.length > 0 && exp.synthetic.length === 0) throw bad('This experiment has no synthetic images to pseudo-label; start a new one with a synthetic count above 0.');
  exp.options.rounds = Math.max(exp.options.rounds, lastRound);
  const d = await loadData(exp.options);
  return drive(exp, d, lastRound, signal, emit);
}

/** Everything the review grid needs about round r. */
export async function segmentRoundData(experimentId: string, round: number): Promise<SegRoundData> {
  const e = await getSegmentExperiment(experimentId);
  const r = e.rounds[round];
  if (!r) throw new DataError(`Experiment ${experimentId} has no round ${round} (it has ${e.rounds.length}).`, 'not-found');
  const [syn, arrays, correctedMasks] = await Promise.all([getSynthetic(experimentId), idbSegStore.getRoundArrays(experimentId, round), idbSegStore.getCorrected(experimentId, round)]);
  // What the next round would train on, with the settings it would use now.
  const decisions = decidePseudoLabels(syn.ids, arrays, e.options.threshold, r.review);
  return {
    experimentId,
    round,
    size: e.size,
    channels: e.channels,
    ids: syn.ids,
    classIndex: syn.classIndex,
    images: syn.images,
    masks: arrays.masks,
    confidence: arrays.confidence,
    entropy: arrays.entropy,
    agreement: arrays.agreement,
    review: r.review,
    correctedMasks,
    selected: Uint8Array.from(decisions, (x) => (x.accepted ? 1 : 0)),
  };
}
