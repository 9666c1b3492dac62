/**
 * The classification experiment (RECIPE §2, §3, §6): for every seed, train a classifier from scratch on the
 * real training split ("baseline") and on real + synthetic images ("ssgnet", one arm per extra fraction),
 * choose its epoch on the real validation split (macro-F1, early stopping), and score it on the real test
 * split. Synthetic images only ever enter training.
 *
 * Runs one after another in the engine worker; each finished run is stored at once, and progress ticks carry
 * the live learning curve, so the UI draws it while the next epoch trains.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/rng.ts';
import { DataError } from '../data/errors.ts';
import { CancelledError } from '../data/import/import-context.ts';
import { datasetArrays } from '../data/read-dataset.ts';
import { SPLIT_CODE } from '../data/types.ts';
import { Classifier } from '../models/classifier.ts';
import { classifierPreset, CLASSIFIER_PRESETS } from '../models/classifier-config.ts';
import { DEFAULT_CLASSIFIER_AUGMENT } from '../train/classifier-augment.ts';
import type { ImageSplit } from '../train/classifier-data.ts';
import { evaluateClassifier } from '../train/classifier-evaluate.ts';
import { DEFAULT_CLASSIFIER_TRAINING, trainClassifier, type ClassifierEpochRecord } from '../train/classifier-train.ts';
import type { DatasetArraysMessage } from '../worker/protocol.ts';
import { CLASSIFY_SCHEMA_VERSION, type Arm, type ArmResult, type ClassifyExperiment, type ClassifyExperimentOptions, type EpochPoint } from './classify-record.ts';
import { createExperiment, getExperiment, saveExperiment } from './classify-runs.ts';
import { assembleEnlargedTrainSet, classCounts, syntheticCounts } from './enlargement.ts';
import { listRuns, type GeneratorRunMeta } from './generator-runs.ts';
import { pickGeneratorRuns, syntheticPool, type PoolSource } from './synthetic-pool.ts';

export interface ClassifyTick {
  experimentId: string;
  /** "baseline" / "ssgnet +50%" etc. and the seed of the run in progress. */
  arm: Arm;
  extra: number;
  seed: number;
  /** 0-based index of the run in progress among all runs. */
  run: number;
  runs: number;
  epoch: number;
  epochs: number;
  message: string;
  /** Set once per finished epoch: the point to append to the live curve. */
  point?: EpochPoint;
  /** Set once per finished run. */
  result?: ArmResult;
}

/** The data's three splits as the trainer takes them. */
export function splitOf(a: DatasetArraysMessage, code: number): ImageSplit {
  const { size, channels } = a.meta;
  const px = size * size * channels;
  const idx: number[] = [];
  for (let i = 0; i < a.labels.length; i++) if (a.splits[i] === code) idx.push(i);
  const images = new Uint8Array(idx.length * px);
  idx.forEach((src, k) => images.set(a.images.subarray(src * px, (src + 1) * px), k * px));
  return { images, labels: Uint8Array.from(idx, (i) => a.labels[i] as number), size, channels };
}

/** Checks the settings and the data before anything long starts; every problem is one specific message. */
export function validateExperiment(o: ClassifyExperimentOptions, a: DatasetArraysMessage): void {
  const bad = (m: string) => new DataError(m, 'bad-input');
  const m = a.meta;
  // A segmentation set whose images also carry class labels (e.g. benign / malignant) classifies as well.
  if (!m.labelled) throw bad(`"${m.name}" has no class labels: the classification experiment needs labelled classes.`);
  if (m.classes.length < 2) throw bad(`"${m.name}" has only one class; a classifier needs at least 2.`);
  if (!CLASSIFIER_PRESETS.includes(o.preset)) throw bad(`Unknown classifier "${o.preset}" (one of ${CLASSIFIER_PRESETS.join(', ')}).`);
  if (o.seeds.length === 0 || o.seeds.some((s) => !Number.isInteger(s) || s < 0)) throw bad('Give at least one seed (whole numbers from 0).');
  if (new Set(o.seeds).size !== o.seeds.length) throw bad('The seeds repeat: each seed would give the same run twice.');
  if (!o.baseline && o.extras.length === 0) throw bad('Nothing to run: enable the baseline or give at least one synthetic fraction.');
  if (o.extras.some((x) => !Number.isFinite(x) || x < 0 || x > 10)) throw bad('Synthetic fractions must be between 0 and 10 (0.5 adds half the largest class to every class).');
  const t = o.training;
  if (!(Number.isInteger(t.epochs) && t.epochs >= 1 && t.epochs <= 1000)) throw bad(`Epochs must be a whole number from 1 to 1000 (got ${t.epochs}).`);
  if (!(Number.isInteger(t.batchSize) && t.batchSize >= 2 && t.batchSize <= 1024)) throw bad(`Batch size must be from 2 to 1024 (got ${t.batchSize}).`);
  if (!(t.learningRate > 0 && t.learningRate < 1)) throw bad(`The learning rate must be between 0 and 1 (got ${t.learningRate}).`);
  if (!(o.psi > 0 && o.psi <= 1)) throw bad(`Truncation psi must be in (0, 1] (got ${o.psi}).`);
  const counts = classCounts(splitOf(a, SPLIT_CODE.train).labels, m.classes.length);
  const empty = counts.map((n, c) => (n === 0 ? m.classes[c] : null)).filter((x) => x !== null);
  if (empty.length) throw bad(`Class${empty.length > 1 ? 'es' : ''} ${empty.map((c) => `"${c}"`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no training images: every class needs some real images to learn from.`);
  if (!a.splits.some((s) => s === SPLIT_CODE.test)) throw bad(`"${m.name}" has no test images: re-import it with a test share above 0 so the arms can be scored.`);
}

function epochPoint(r: ClassifierEpochRecord): EpochPoint {
  return {
    epoch: r.epoch,
    loss: r.loss,
    accuracy: r.accuracy,
    valLoss: r.val?.loss ?? null,
    valAccuracy: r.val?.accuracy ?? null,
    valMacroF1: r.val?.macroF1 ?? null,
    learningRate: r.learningRate,
    seconds: r.seconds,
  };
}

function newId(): string {
  return `ce-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Everything a run of the experiment needs, read and checked once. */
interface Prepared {
  a: DatasetArraysMessage;
  train: ImageSplit;
  val: ImageSplit;
  test: ImageSplit;
  realCounts: number[];
  runs: Map<number, GeneratorRunMeta>;
  plan: PlannedRun[];
}

interface PlannedRun {
  arm: Arm;
  extra: number;
  seed: number;
  counts: number[];
}

async function prepare(o: ClassifyExperimentOptions): Promise<Prepared> {
  const a = await datasetArrays(o.datasetId);
  validateExperiment(o, a);
  const k = a.meta.classes.length;
  const train = splitOf(a, SPLIT_CODE.train);
  const realCounts = classCounts(train.labels, k);
  const extraCounts = o.extras.map((extra) => syntheticCounts(realCounts, { target: null, extra, rounding: 'round' }));
  const needs = new Set<number>();
  extraCounts.forEach((cs) => cs.forEach((n, c) => n > 0 && needs.add(c)));
  const runs = o.extras.length ? pickGeneratorRuns(a.meta, await listRuns(), [...needs], o.generatorRunIds) : new Map<number, GeneratorRunMeta>();
  const plan: PlannedRun[] = [];
  for (const seed of o.seeds) {
    if (o.baseline) plan.push({ arm: 'baseline', extra: 0, seed, counts: new Array<number>(k).fill(0) });
    o.extras.forEach((extra, i) => plan.push({ arm: 'ssgnet', extra, seed, counts: extraCounts[i]! }));
  }
  return { a, train, val: splitOf(a, SPLIT_CODE.val), test: splitOf(a, SPLIT_CODE.test), realCounts, runs, plan };
}

/** Runs the experiment; resolves with its final record (also stored). A stop keeps the finished runs. */
export async function runClassifyExperiment(o: ClassifyExperimentOptions, signal: AbortSignal, emit: (t: ClassifyTick) => void): Promise<ClassifyExperiment> {
  const p = await prepare(o);
  const m = p.a.meta;
  const shape = { inputSize: m.size, channels: m.channels, numClasses: m.classes.length };
  const probe = new Classifier(classifierPreset(o.preset, shape, 0, m.size >= 64 ? { stemStride: 2 } : {}));
  const parameters = probe.parameterCount();
  probe.dispose();
  const now = new Date().toISOString();
  const exp: ClassifyExperiment = {
    schema: CLASSIFY_SCHEMA_VERSION,
    id: newId(),
    datasetId: m.id,
    datasetName: m.name,
    classes: m.classes,
    options: o,
    backend: tf.getBackend(),
    parameters,
    splitSizes: { train: p.train.labels.length, val: p.val.labels.length, test: p.test.labels.length },
    status: 'running',
    message: 'starting',
    generators: [],
    results: [],
    createdAt: now,
    updatedAt: now,
    seconds: 0,
  };
  await createExperiment(exp);
  return execute(exp, p, signal, emit);
}

const sameRun = (r: { arm: Arm; extra: number; seed: number }, q: PlannedRun) => r.arm === q.arm && r.extra === q.extra && r.seed === q.seed;

/**
 * Continues a stopped, interrupted or failed experiment with its own settings: the runs it finished are kept
 * as they are, the others run now (the one in progress when it stopped starts over: runs keep no weights).
 */
export async function resumeClassifyExperiment(experimentId: string, signal: AbortSignal, emit: (t: ClassifyTick) => void): Promise<ClassifyExperiment> {
  const exp = await getExperiment(experimentId);
  if (exp.status === 'done') throw new DataError(`"${exp.datasetName}" experiment ${exp.id} has finished all its runs: there is nothing to resume.`, 'bad-input');
  if (exp.status === 'running') throw new DataError('This experiment is running already.', 'bad-input');
  const p = await prepare(exp.options);
  if (p.a.meta.count !== exp.splitSizes.train + exp.splitSizes.val + exp.splitSizes.test || p.train.labels.length !== exp.splitSizes.train) {
    throw new DataError(`"${exp.datasetName}" changed since this experiment started (its splits differ): start a new experiment instead.`, 'bad-input');
  }
  exp.status = 'running';
  exp.message = `resuming: ${exp.results.length} of ${p.plan.length} runs were done`;
  exp.backend = tf.getBackend();
  await saveExperiment(exp);
  return execute(exp, p, signal, emit);
}

async function execute(exp: ClassifyExperiment, prepared: Prepared, signal: AbortSignal, emit: (t: ClassifyTick) => void): Promise<ClassifyExperiment> {
  const o = exp.options;
  const { a, train, val, test, realCounts, runs, plan } = prepared;
  const m = a.meta;
  const k = m.classes.length;
  const shape = { inputSize: m.size, channels: m.channels, numClasses: k };
  const t0 = performance.now();
  const secondsBefore = exp.seconds;
  const sources = new Map<number, PoolSource>(exp.generators.map((g) => [g.classIndex, g]));
  try {
    for (let i = 0; i < plan.length; i++) {
      if (signal.aborted) throw new CancelledError();
      const p = plan[i]!;
      if (exp.results.some((r) => sameRun(r, p))) continue; // finished before a stop: kept as it is
      const label = p.arm === 'baseline' ? 'baseline' : `ssgnet +${Math.round(p.extra * 100)}%`;
      const tick = (message: string, extra: Partial<ClassifyTick> = {}) =>
        emit({ experimentId: exp.id, arm: p.arm, extra: p.extra, seed: p.seed, run: i, runs: plan.length, epoch: 0, epochs: o.training.epochs, message, ...extra });
      let trainSet: ImageSplit = train;
      if (p.arm === 'ssgnet') {
        // Each seed draws its own synthetic images, so the spread over seeds includes the draw's.
        const { pool, sources: used } = await syntheticPool(m, runs, p.counts, deriveSeed(p.seed, 0x5e7), o.psi, signal, (c, n) => tick(`${label}, seed ${p.seed}: generating ${n} synthetic "${m.classes[c]}" images`));
        used.forEach((s) => sources.set(s.classIndex, s));
        const enlarged = assembleEnlargedTrainSet(train, pool, k, { target: null, extra: p.extra, rounding: 'round' }, p.seed);
        trainSet = { images: enlarged.images, labels: enlarged.labels, size: m.size, channels: m.channels };
      }
      tick(`${label}, seed ${p.seed}: training on ${trainSet.labels.length} images`);
      const started = performance.now();
      const model = new Classifier(classifierPreset(o.preset, shape, deriveSeed(p.seed, 0xc1), m.size >= 64 ? { stemStride: 2 } : {}));
      try {
        const t = o.training;
        const fit = await trainClassifier(
          model,
          trainSet,
          val.labels.length > 0 ? val : null,
          {
            ...DEFAULT_CLASSIFIER_TRAINING,
            epochs: t.epochs,
            batchSize: t.batchSize,
            learningRate: t.learningRate,
            augment: t.augment ? DEFAULT_CLASSIFIER_AUGMENT : null,
            classWeights: t.classWeights,
            earlyStopping: t.patience > 0 ? { patience: t.patience, minDelta: 0 } : null,
            seed: deriveSeed(p.seed, 0xba7c4),
          },
          {
            shouldStop: () => signal.aborted,
            onEpoch: (r) => tick(`${label}, seed ${p.seed}: epoch ${r.epoch + 1}, loss ${r.loss.toFixed(3)}${r.val ? `, val macro-F1 ${r.val.macroF1.toFixed(3)}` : ''}`, { epoch: r.epoch + 1, point: epochPoint(r) }),
          },
        );
        if (signal.aborted) throw new CancelledError();
        const ev = await evaluateClassifier(model, test);
        const result: ArmResult = {
          arm: p.arm,
          extra: p.extra,
          seed: p.seed,
          accuracy: ev.accuracy,
          macroF1: ev.macroF1,
          auc: ev.auc,
          confusion: ev.confusion,
          precision: ev.perClass.precision,
          recall: ev.perClass.recall,
          f1: ev.perClass.f1,
          trainReal: realCounts,
          trainSynthetic: p.counts,
          bestEpoch: fit.bestEpoch,
          stopReason: fit.stopReason,
          curve: fit.history.map(epochPoint),
          seconds: (performance.now() - started) / 1000,
        };
        exp.results.push(result);
        exp.generators = [...sources.values()].sort((x, y) => x.classIndex - y.classIndex);
        exp.seconds = secondsBefore + (performance.now() - t0) / 1000;
        exp.message = `${exp.results.length} of ${plan.length} runs done`;
        await saveExperiment(exp);
        tick(`${label}, seed ${p.seed}: test accuracy ${(100 * ev.accuracy).toFixed(1)}%, macro-F1 ${ev.macroF1.toFixed(3)}${fit.stopReason === 'non-finite-loss' ? ' (training hit a non-finite loss; the best earlier epoch was scored)' : ''}`, { epoch: fit.history.length, result });
      } finally {
        model.dispose();
      }
    }
    exp.status = 'done';
    exp.message = `${plan.length} runs done`;
  } catch (err) {
    const cancelled = err instanceof CancelledError;
    exp.status = cancelled ? 'stopped' : 'failed';
    exp.message = cancelled ? `Stopped after ${exp.results.length} of ${plan.length} runs; their results are kept.` : `Failed: ${(err as Error).message}`;
    exp.seconds = secondsBefore + (performance.now() - t0) / 1000;
    await saveExperiment(exp).catch(() => undefined);
    if (!cancelled) throw err;
    return exp;
  }
  exp.seconds = secondsBefore + (performance.now() - t0) / 1000;
  await saveExperiment(exp);
  return exp;
}
