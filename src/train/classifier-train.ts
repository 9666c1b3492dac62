/**
 * Training the classifier: one optimisation step, one epoch over a split (seeded shuffle and augmentation),
 * and the whole fit with a learning-rate schedule, per-epoch validation and early stopping on validation
 * macro-F1 that restores the best weights.
 *
 * Determinism: the model's initial weights come from its config seed; batch order and augmentation of epoch e
 * come from streams derived from (training seed, e), so a run is reproduced by its two seeds on one backend,
 * and epoch e does not depend on how earlier epochs were interrupted.
 * Memory: every step runs in tf.tidy; per-step losses stay on the device and are read back once per epoch
 * (and every `reportEvery` steps when an onStep hook wants them), so steps do not wait for the GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, mulberry32, shuffleInPlace } from '../data/rng.ts';
import type { Classifier } from '../models/classifier.ts';
import { assignParams, cloneParams, type ParamTensors } from '../models/param-snapshot.ts';
import { classCounts } from '../pipeline/enlargement.ts';
import { augmentClassifierBatch, DEFAULT_CLASSIFIER_AUGMENT, type ClassifierAugmentConfig } from './classifier-augment.ts';
import { batchImages, batchLabels, splitLength, type ImageSplit } from './classifier-data.ts';
import { evaluateClassifier, type ClassifierEvaluation } from './classifier-evaluate.ts';
import { BestEpochTracker } from './early-stopping.ts';
import { balancedClassWeights, softmaxCrossEntropy } from './classifier-loss.ts';
import { LrScheduler, DEFAULT_SCHEDULE, type LrSchedule } from './lr-schedule.ts';
import { DEFAULT_ADAM, ScheduledOptimizer, type OptimizerConfig } from './scheduled-optimizer.ts';

export interface ClassifierTrainingConfig {
  /** Upper bound on epochs (early stopping may end sooner). */
  epochs: number;
  batchSize: number;
  /** Base learning rate (the schedule scales it). */
  learningRate: number;
  optimizer: OptimizerConfig;
  schedule: LrSchedule;
  /** null: no augmentation. */
  augment: ClassifierAugmentConfig | null;
  /** Loss weights per class: none, scikit-learn's 'balanced' from the training counts, or explicit. */
  classWeights: 'none' | 'balanced' | number[];
  /**
   * Stop when validation macro-F1 has not improved by more than minDelta for `patience` epochs. null: run all
   * epochs. Either way, with a validation split the best epoch's weights are restored at the end.
   */
  earlyStopping: { patience: number; minDelta: number } | null;
  /**
   * Drop a last batch smaller than this (batch norm's statistics from one or two images are noise, and such a
   * step would get a full step's weight). 2 drops only a single-image remainder.
   */
  minBatch: number;
  /** Seed of batch order and augmentation (the model's initial weights have their own seed, in its config). */
  seed: number;
  /** Images per forward pass during evaluation. */
  evalBatchSize: number;
}

/**
 * Adam 1e-3 (explicit epsilon), cosine decay with a 1-epoch warm-up, mild augmentation, early stopping
 * after 10 epochs without a better validation macro-F1. The paper's Keras classifier used Adam 5e-3 with
 * reduce-on-plateau on a mostly frozen ImageNet ResNet-50; from scratch a lower rate is the safer default
 * (set schedule { kind: 'plateau', ... } and learningRate 5e-3 to follow the paper).
 */
export const DEFAULT_CLASSIFIER_TRAINING: ClassifierTrainingConfig = {
  epochs: 50,
  batchSize: 32,
  learningRate: 1e-3,
  optimizer: DEFAULT_ADAM,
  schedule: DEFAULT_SCHEDULE,
  augment: DEFAULT_CLASSIFIER_AUGMENT,
  classWeights: 'none',
  earlyStopping: { patience: 10, minDelta: 0 },
  minBatch: 2,
  seed: 42,
  evalBatchSize: 128,
};

/** Purposes of the per-epoch random streams (part of the derived seed). */
const STREAM = { shuffle: 1, augment: 2 } as const;

export interface StepOutput {
  /** Mean (weighted) loss of the batch. */
  loss: tf.Scalar;
  /** Number of correctly classified images in the batch (on the training-mode forward pass). */
  correct: tf.Scalar;
}

/**
 * One optimisation step on a prepared batch: forward in training mode (updating batch-norm running
 * statistics), softmax cross-entropy, gradients of every trainable variable, one optimizer update at `lr`.
 * Returns two scalars the caller disposes; leaves no other tensor behind.
 */
export function trainStep(
  model: Classifier,
  optimizer: ScheduledOptimizer,
  images: tf.Tensor4D,
  labels: tf.Tensor1D,
  lr: number,
  classWeights: tf.Tensor1D | null = null,
): StepOutput {
  const vars = model.trainableVariables();
  return tf.tidy(() => {
    const kept: { correct?: tf.Scalar } = {};
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.forward(images, true);
      // Kept out of the tape's tidy so accuracy costs no second forward pass.
      kept.correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar);
      return softmaxCrossEntropy(logits, labels, classWeights);
    }, vars);
    optimizer.apply(
      vars.map((v) => grads[v.name] as tf.Tensor),
      lr,
    );
    if (!kept.correct) throw new Error('unreachable: the loss closure did not run');
    return { loss: value, correct: kept.correct };
  });
}

export interface EpochOptions {
  /** 0-based epoch index (selects the random streams and the schedule position). */
  epoch: number;
  batchSize: number;
  seed: number;
  augment: ClassifierAugmentConfig | null;
  /** Per-class loss weights, or null. */
  classWeights: number[] | null;
  /** Learning rate at a fractional epoch (epoch + share of its batches done). */
  learningRate: (epoch: number) => number;
  minBatch?: number;
  /** Checked before each batch: the epoch ends early (its statistics cover the batches done). */
  shouldStop?: () => boolean;
  /** Called every `reportEvery` steps with that step's loss (one readback each time). */
  onStep?: (s: StepReport) => void | Promise<void>;
  reportEvery?: number;
}

export interface StepReport {
  epoch: number;
  /** 1-based step within the epoch, and the epoch's total. */
  step: number;
  steps: number;
  loss: number;
  learningRate: number;
}

export interface EpochStats {
  epoch: number;
  /** Mean training loss and accuracy over the images seen (on augmented batches, training-mode BN). */
  loss: number;
  accuracy: number;
  images: number;
  steps: number;
  /** Learning rate of the last step. */
  learningRate: number;
  seconds: number;
}

/** Batch index lists of one epoch: a seeded permutation cut into batches, a too-small remainder dropped. */
export function epochBatches(n: number, batchSize: number, seed: number, epoch: number, minBatch = 2): Int32Array[] {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, mulberry32(deriveSeed(seed, STREAM.shuffle, epoch)));
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const b = order.subarray(start, Math.min(n, start + batchSize));
    if (b.length >= Math.min(minBatch, n)) batches.push(b);
  }
  return batches;
}

/** One pass over `split` in seeded random order. */
export async function trainEpoch(model: Classifier, optimizer: ScheduledOptimizer, split: ImageSplit, o: EpochOptions): Promise<EpochStats> {
  const t0 = performance.now();
  const n = splitLength(split);
  const batches = epochBatches(n, o.batchSize, o.seed, o.epoch, o.minBatch ?? 2);
  const rand = mulberry32(deriveSeed(o.seed, STREAM.augment, o.epoch));
  const weights = o.classWeights ? tf.tensor1d(o.classWeights) : null;
  const reportEvery = Math.max(1, o.reportEvery ?? 10);
  let lossSum: tf.Scalar = tf.scalar(0);
  let correctSum: tf.Scalar = tf.scalar(0);
  let images = 0;
  let steps = 0;
  let lr = o.learningRate(o.epoch);
  try {
    for (const idx of batches) {
      if (o.shouldStop?.()) break;
      lr = o.learningRate(o.epoch + steps / batches.length);
      const x = batchImages(split, idx);
      const y = batchLabels(split, idx);
      let xb = x;
      let out: StepOutput;
      try {
        if (o.augment) xb = augmentClassifierBatch(x, o.augment, rand);
        out = trainStep(model, optimizer, xb, y, lr, weights);
      } finally {
        tf.dispose([x, xb, y]);
      }
      const { loss, correct } = out;
      const sums = tf.tidy(() => [tf.add(lossSum, tf.mul(loss, idx.length)), tf.add(correctSum, correct)] as [tf.Scalar, tf.Scalar]);
      tf.dispose([lossSum, correctSum, correct]);
      [lossSum, correctSum] = sums;
      images += idx.length;
      steps++;
      try {
        if (o.onStep && steps % reportEvery === 0) {
          await o.onStep({ epoch: o.epoch, step: steps, steps: batches.length, loss: (await loss.data())[0] ?? NaN, learningRate: lr });
        }
      } finally {
        loss.dispose();
      }
      // Let a worker's message handler run (a stop request) between steps.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const [l = NaN, c = NaN] = await Promise.all([lossSum.data(), correctSum.data()]).then(([a, b]) => [a[0], b[0]]);
    return { epoch: o.epoch, loss: images ? l / images : NaN, accuracy: images ? c / images : NaN, images, steps, learningRate: lr, seconds: (performance.now() - t0) / 1000 };
  } finally {
    tf.dispose([lossSum, correctSum]);
    weights?.dispose();
  }
}

/** What one epoch of fit() produced. */
export interface ClassifierEpochRecord extends EpochStats {
  /** Validation metrics (null without a validation split). Probabilities are left out to keep records small. */
  val: Omit<ClassifierEvaluation, 'probabilities'> | null;
  /** Whether this epoch's weights are the best so far (they are the ones restored at the end). */
  best: boolean;
}

export type StopReason = 'completed' | 'early-stopping' | 'stopped' | 'non-finite-loss';

export interface ClassifierTrainingResult {
  history: ClassifierEpochRecord[];
  /** 0-based epoch whose weights the model holds at the end (null: no validation, the last weights). */
  bestEpoch: number | null;
  bestValMacroF1: number | null;
  stopReason: StopReason;
}

export interface TrainingHooks {
  onEpoch?: (record: ClassifierEpochRecord) => void | Promise<void>;
  onStep?: (s: StepReport) => void | Promise<void>;
  reportEvery?: number;
  /** Checked between batches and epochs (a user's stop button). */
  shouldStop?: () => boolean;
}

/**
 * Train `model` on `train`, validating on `val` after every epoch when given. The model ends with the
 * weights of the epoch with the best validation macro-F1 (ties broken by lower validation loss), or with the
 * last weights without a validation split. Synthetic images may be part of `train`; `val` must be real only.
 */
export async function trainClassifier(
  model: Classifier,
  train: ImageSplit,
  val: ImageSplit | null,
  cfg: ClassifierTrainingConfig,
  hooks: TrainingHooks = {},
): Promise<ClassifierTrainingResult> {
  const k = model.config.numClasses;
  const classWeights =
    cfg.classWeights === 'none' ? null : cfg.classWeights === 'balanced' ? balancedClassWeights(classCounts(train.labels, k)) : cfg.classWeights;
  if (classWeights && classWeights.length !== k) throw new Error(`trainClassifier: ${classWeights.length} class weights for ${k} classes`);
  if (cfg.schedule.kind === 'plateau' && !val) throw new Error('trainClassifier: the plateau schedule needs a validation split');
  const optimizer = new ScheduledOptimizer(cfg.optimizer, model.trainableVariables());
  const scheduler = new LrScheduler(cfg.schedule, cfg.learningRate, cfg.epochs);
  const history: ClassifierEpochRecord[] = [];
  const tracker = new BestEpochTracker(cfg.earlyStopping?.patience ?? null, cfg.earlyStopping?.minDelta ?? 0);
  let bestWeights: ParamTensors | null = null;
  let stopReason: StopReason = 'completed';
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      if (hooks.shouldStop?.()) {
        stopReason = 'stopped';
        break;
      }
      const stats = await trainEpoch(model, optimizer, train, {
        epoch,
        batchSize: cfg.batchSize,
        seed: cfg.seed,
        augment: cfg.augment,
        classWeights,
        learningRate: (e) => scheduler.rateAt(e),
        minBatch: cfg.minBatch,
        ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
        ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
        ...(hooks.reportEvery ? { reportEvery: hooks.reportEvery } : {}),
      });
      if (stats.steps > 0 && !Number.isFinite(stats.loss)) {
        stopReason = 'non-finite-loss';
        break;
      }
      let valMetrics: ClassifierEpochRecord['val'] = null;
      let isBest = false;
      if (val) {
        const { probabilities: _unused, ...metrics } = await evaluateClassifier(model, val, cfg.evalBatchSize);
        valMetrics = metrics;
        isBest = tracker.update(epoch, metrics.macroF1, metrics.loss);
        if (isBest) {
          if (bestWeights) tf.dispose(Object.values(bestWeights));
          bestWeights = cloneParams(model.params);
        }
        scheduler.epochEnd(metrics.macroF1);
      }
      const record: ClassifierEpochRecord = { ...stats, val: valMetrics, best: isBest };
      history.push(record);
      await hooks.onEpoch?.(record);
      if (stats.steps === 0 || hooks.shouldStop?.()) {
        stopReason = 'stopped';
        break;
      }
      if (tracker.shouldStop(epoch)) {
        stopReason = 'early-stopping';
        break;
      }
    }
    if (bestWeights) assignParams(model.params, bestWeights);
  } finally {
    optimizer.dispose();
    if (bestWeights) tf.dispose(Object.values(bestWeights));
  }
  return {
    history,
    bestEpoch: tracker.bestEpoch,
    bestValMacroF1: tracker.bestEpoch === null ? null : tracker.bestScore,
    stopReason,
  };
}
