/**
 * Training the segmenter (U-Net or VM-UNet-lite, anything that is a Segmenter): one optimisation step, one epoch over an image + mask split (seeded
 * shuffle and symmetry augmentation), the whole fit with a per-step schedule, the adaptive kappa of the
 * t-vMF loss updated after each epoch from the validation DSC per class, and the best epoch on validation
 * Dice restored at the end; plus prediction (foreground probabilities and masks) and pooled evaluation.
 *
 * Follows Kato & Hotta's train.py: kappa = 0 for the first epoch, then lambda * DSC_c(validation); the
 * weights kept are those of the best validation DSC. Their DSC to pick the best is the class-mean one; here
 * the foreground Dice (the number the paper's tables report) picks it, ties broken by pixel accuracy.
 *
 * Determinism and memory as classifier-train.ts: batch order and augmentation of epoch e come from streams
 * derived from (training seed, e); every step runs in tf.tidy; per-step losses stay on the device and are
 * read back once per epoch (and every `reportEvery` steps when an onStep hook wants them).
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, mulberry32 } from '../data/rng.ts';
import { SegmentationCounts, type SegmentationMetrics } from '../metrics/segmentation.ts';
import { assignParams, cloneParams, type ParamTensors } from '../models/param-snapshot.ts';
import type { Segmenter } from '../models/segmenter.ts';
import { KappaSchedule, type SegLossName } from './adaptive-kappa.ts';
import { epochBatches } from './classifier-train.ts';
import { BestEpochTracker } from './early-stopping.ts';
import { DEFAULT_POLY_SCHEDULE, LrScheduler, type LrSchedule } from './lr-schedule.ts';
import { ScheduledOptimizer, SEG_SGD, type OptimizerConfig } from './scheduled-optimizer.ts';
import { applySegAugment, DEFAULT_SEG_AUGMENT, drawSegAugment, type SegAugmentConfig } from './seg-augment.ts';
import {
  batchMasks,
  batchStackImages,
  gatherRows,
  imagesToTensor,
  maskSplitLength,
  masksToTensor,
  stackLength,
  type ImageStack,
  type MaskSplit,
} from './seg-data.ts';
import { segmentationLoss } from './seg-losses.ts';

export interface SegmenterTrainingConfig {
  epochs: number;
  batchSize: number;
  /** Base learning rate (the schedule scales it). */
  learningRate: number;
  optimizer: OptimizerConfig;
  schedule: LrSchedule;
  loss: SegLossName;
  /** Adaptive kappa = lambda * DSC ('atvmf'). */
  lambda: number;
  /** Kappa of the fixed t-vMF loss ('tvmf'). */
  fixedKappa: number;
  /** null: no augmentation. */
  augment: SegAugmentConfig | null;
  /** Stop after `patience` epochs without a better validation Dice; null runs every epoch (the authors). */
  earlyStopping: { patience: number; minDelta: number } | null;
  /** Drop a last batch smaller than this (batch norm on one image is noise). */
  minBatch: number;
  /** Seed of batch order and augmentation (the model's initial weights have their own seed). */
  seed: number;
  evalBatchSize: number;
}

/**
 * The t-vMF authors' setting: SGD lr 0.01, momentum 0.9, weight decay 1e-4, poly schedule (power 0.9),
 * adaptive t-vMF loss with lambda 32, rotations and flips. Their batch is 24 at 224 px; 8 suits a browser.
 * For VM-UNet's setting: loss 'bcedice', optimizer DEFAULT_ADAMW, learningRate 1e-3, a cosine schedule.
 */
export const DEFAULT_SEGMENTER_TRAINING: SegmenterTrainingConfig = {
  epochs: 50,
  batchSize: 8,
  learningRate: 0.01,
  optimizer: SEG_SGD,
  schedule: DEFAULT_POLY_SCHEDULE,
  loss: 'atvmf',
  lambda: 32,
  fixedKappa: 32,
  augment: DEFAULT_SEG_AUGMENT,
  earlyStopping: null,
  minBatch: 2,
  seed: 42,
  evalBatchSize: 32,
};

/** Purpose of the per-epoch augmentation stream (the shuffle stream is epochBatches'). */
const AUGMENT_STREAM = 3;

/**
 * One optimisation step on a prepared batch: forward in training mode, the named loss (with per-class kappa
 * and optional per-image weights), gradients of every trainable variable, one update at `lr`. Returns the
 * loss scalar, which the caller disposes; leaves no other tensor behind.
 */
export function segTrainStep(
  model: Segmenter,
  optimizer: ScheduledOptimizer,
  images: tf.Tensor4D,
  masks: tf.Tensor3D,
  weights: tf.Tensor1D | null,
  lr: number,
  loss: SegLossName,
  kappa: readonly number[],
): tf.Scalar {
  const vars = model.trainableVariables();
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => segmentationLoss(loss, model.forward(images, true), masks, kappa, weights), vars);
    optimizer.apply(
      vars.map((v) => grads[v.name] as tf.Tensor),
      lr,
    );
    return value;
  });
}

export interface SegEpochOptions {
  /** 0-based epoch index (selects the random streams and the schedule position). */
  epoch: number;
  batchSize: number;
  seed: number;
  augment: SegAugmentConfig | null;
  loss: SegLossName;
  kappa: readonly number[];
  /** Learning rate at a fractional epoch. */
  learningRate: (epoch: number) => number;
  minBatch?: number;
  shouldStop?: () => boolean;
  onStep?: (s: SegStepReport) => void | Promise<void>;
  reportEvery?: number;
}

export interface SegStepReport {
  epoch: number;
  /** 1-based step within the epoch, and the epoch's total. */
  step: number;
  steps: number;
  loss: number;
  learningRate: number;
}

export interface SegEpochStats {
  epoch: number;
  /** Mean training loss over the batches (each weighted by its image count). */
  loss: number;
  images: number;
  steps: number;
  /** Learning rate of the last step. */
  learningRate: number;
  seconds: number;
}

/** The uint8 batch at `idx`, augmented when asked, as tensors. */
function prepareBatch(split: MaskSplit, idx: Int32Array, augment: SegAugmentConfig | null, rand: () => number): { x: tf.Tensor4D; y: tf.Tensor3D; w: tf.Tensor1D | null } {
  const { size, channels } = split;
  let images = gatherRows(split.images, size * size * channels, idx);
  let masks = gatherRows(split.masks, size * size, idx);
  if (augment) ({ images, masks } = applySegAugment(images, masks, size, channels, drawSegAugment(idx.length, augment, rand)));
  const weights = split.weights;
  const w = weights ? tf.tensor1d(Float32Array.from(idx, (i) => weights[i] as number)) : null;
  return { x: imagesToTensor(images, idx.length, size, channels), y: masksToTensor(masks, idx.length, size), w };
}

/** One pass over `split` in seeded random order. */
export async function trainSegEpoch(model: Segmenter, optimizer: ScheduledOptimizer, split: MaskSplit, o: SegEpochOptions): Promise<SegEpochStats> {
  const t0 = performance.now();
  const n = maskSplitLength(split);
  const batches = epochBatches(n, o.batchSize, o.seed, o.epoch, o.minBatch ?? 2);
  const rand = mulberry32(deriveSeed(o.seed, AUGMENT_STREAM, o.epoch));
  const reportEvery = Math.max(1, o.reportEvery ?? 10);
  let lossSum: tf.Scalar = tf.scalar(0);
  let images = 0;
  let steps = 0;
  let lr = o.learningRate(o.epoch);
  try {
    for (const idx of batches) {
      if (o.shouldStop?.()) break;
      lr = o.learningRate(o.epoch + steps / batches.length);
      const { x, y, w } = prepareBatch(split, idx, o.augment, rand);
      let loss: tf.Scalar;
      try {
        loss = segTrainStep(model, optimizer, x, y, w, lr, o.loss, o.kappa);
      } finally {
        tf.dispose([x, y, ...(w ? [w] : [])]);
      }
      const sum = tf.tidy(() => tf.add(lossSum, tf.mul(loss, idx.length)) as tf.Scalar);
      lossSum.dispose();
      lossSum = sum;
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
    const total = (await lossSum.data())[0] ?? NaN;
    return { epoch: o.epoch, loss: images ? total / images : NaN, images, steps, learningRate: lr, seconds: (performance.now() - t0) / 1000 };
  } finally {
    lossSum.dispose();
  }
}

export interface SegPrediction {
  /** Foreground probability per pixel (softmax of the 2 logits), N x size x size. */
  probs: Float32Array;
  /** 1 where probs >= threshold (0.5), else 0. */
  masks: Uint8Array;
}

/** Foreground logit difference l1 - l0 as [B, H * W] (p_fg = sigmoid of it). */
function foregroundMargin(logits: tf.Tensor4D): tf.Tensor2D {
  const [b, h, w] = logits.shape;
  return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(logits, [b * h * w, 2]), tf.tensor2d([-1, 1], [2, 1])), [b, h * w]));
}

/** Evaluation-mode foreground probabilities and thresholded masks for every image of a stack. */
export async function predictMasks(model: Segmenter, stack: ImageStack, batchSize = 32, threshold = 0.5): Promise<SegPrediction> {
  const n = stackLength(stack);
  const px = stack.size * stack.size;
  const probs = new Float32Array(n * px);
  for (let start = 0; start < n; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const p = tf.tidy(() => tf.sigmoid(foregroundMargin(model.forward(batchStackImages(stack, idx), false))));
    try {
      probs.set((await p.data()) as Float32Array, start * px);
    } finally {
      p.dispose();
    }
  }
  const masks = new Uint8Array(probs.length);
  for (let i = 0; i < probs.length; i++) masks[i] = (probs[i] as number) >= threshold ? 1 : 0;
  return { probs, masks };
}

export interface SegmenterEvaluation extends SegmentationMetrics {
  /** Foreground Dice of each image (1 when truth and prediction are both empty), in split order. */
  perImageDice: Float64Array;
}

/**
 * Pooled metrics of the model on a split (evaluation mode, foreground where p >= 0.5). Counts are computed
 * on the device per image (3 numbers read back per image), accumulated in a SegmentationCounts.
 */
export async function evaluateSegmenter(model: Segmenter, split: MaskSplit, batchSize = 32): Promise<SegmenterEvaluation> {
  const n = maskSplitLength(split);
  const px = split.size * split.size;
  const counts = new SegmentationCounts();
  const dice = new Float64Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const sums = tf.tidy(() => {
      const margin = foregroundMargin(model.forward(batchStackImages(split, idx), false));
      const pred = tf.cast(tf.greaterEqual(margin, 0), 'float32');
      const m = tf.reshape(batchMasks(split, idx), [idx.length, px]);
      return tf.stack([tf.sum(tf.mul(pred, m), 1), tf.sum(pred, 1), tf.sum(m, 1)], 1); // [B, 3]: TP, predicted, true
    });
    let v: Float32Array;
    try {
      v = (await sums.data()) as Float32Array;
    } finally {
      sums.dispose();
    }
    for (let k = 0; k < idx.length; k++) {
      const tp = v[3 * k] as number;
      const predicted = v[3 * k + 1] as number;
      const truth = v[3 * k + 2] as number;
      counts.addCounts({ tp, fp: predicted - tp, fn: truth - tp, tn: px - predicted - truth + tp });
      dice[start + k] = predicted + truth === 0 ? 1 : (2 * tp) / (predicted + truth);
    }
  }
  return { ...counts.metrics(), perImageDice: dice };
}

export interface SegEpochRecord extends SegEpochStats {
  /** Kappa [background, foreground] this epoch trained with. */
  kappa: number[];
  /** Validation metrics (null without a validation split). */
  val: Omit<SegmenterEvaluation, 'perImageDice'> | null;
  /** Whether this epoch's weights are the best so far (the ones restored at the end). */
  best: boolean;
}

export type SegStopReason = 'completed' | 'early-stopping' | 'stopped' | 'non-finite-loss';

export interface SegmenterTrainingResult {
  history: SegEpochRecord[];
  /** 0-based epoch whose weights the model holds at the end (null: no validation, the last weights). */
  bestEpoch: number | null;
  bestValDice: number | null;
  /** Kappa after the last epoch (what a continued run would train with next). */
  kappa: number[];
  stopReason: SegStopReason;
}

export interface SegTrainingHooks {
  onEpoch?: (record: SegEpochRecord) => void | Promise<void>;
  onStep?: (s: SegStepReport) => void | Promise<void>;
  reportEvery?: number;
  /** Checked between batches and epochs (a user's stop button). */
  shouldStop?: () => boolean;
}

/**
 * Train `model` on `train` (real, or real + pseudo-labelled with per-image weights), validating on `val`
 * (real only) after every epoch. The adaptive loss needs `val`. The model ends with the weights of the epoch
 * with the best validation foreground Dice, or the last weights without a validation split; a non-finite
 * epoch loss stops the run (the best weights so far are still restored).
 */
export async function trainSegmenter(
  model: Segmenter,
  train: MaskSplit,
  val: MaskSplit | null,
  cfg: SegmenterTrainingConfig,
  hooks: SegTrainingHooks = {},
): Promise<SegmenterTrainingResult> {
  const kappa = new KappaSchedule(cfg.loss, { lambda: cfg.lambda, fixedKappa: cfg.fixedKappa });
  if (kappa.needsValidation && !val) throw new Error('trainSegmenter: the adaptive t-vMF loss needs a validation split (kappa = lambda * validation DSC)');
  if (cfg.schedule.kind === 'plateau' && !val) throw new Error('trainSegmenter: the plateau schedule needs a validation split');
  if (train.size !== model.config.inputSize || train.channels !== model.config.channels) {
    throw new Error(`trainSegmenter: ${train.size}x${train.size}x${train.channels} images for a segmenter of ${model.config.inputSize}x${model.config.inputSize}x${model.config.channels}`);
  }
  maskSplitLength(train);
  if (val) maskSplitLength(val);
  const optimizer = new ScheduledOptimizer(cfg.optimizer, model.trainableVariables());
  const scheduler = new LrScheduler(cfg.schedule, cfg.learningRate, cfg.epochs);
  const history: SegEpochRecord[] = [];
  const tracker = new BestEpochTracker(cfg.earlyStopping?.patience ?? null, cfg.earlyStopping?.minDelta ?? 0);
  let bestWeights: ParamTensors | null = null;
  let stopReason: SegStopReason = 'completed';
  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      if (hooks.shouldStop?.()) {
        stopReason = 'stopped';
        break;
      }
      const epochKappa = kappa.kappa;
      const stats = await trainSegEpoch(model, optimizer, train, {
        epoch,
        batchSize: cfg.batchSize,
        seed: cfg.seed,
        augment: cfg.augment,
        loss: cfg.loss,
        kappa: epochKappa,
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
      let valMetrics: SegEpochRecord['val'] = null;
      let isBest = false;
      if (val) {
        const { perImageDice: _unused, ...metrics } = await evaluateSegmenter(model, val, cfg.evalBatchSize);
        valMetrics = metrics;
        isBest = tracker.update(epoch, metrics.dice, 1 - metrics.accuracy);
        if (isBest) {
          if (bestWeights) tf.dispose(Object.values(bestWeights));
          bestWeights = cloneParams(model.params);
        }
        scheduler.epochEnd(metrics.dice);
        kappa.epochEnd(metrics.dicePerClass);
      }
      const record: SegEpochRecord = { ...stats, kappa: epochKappa, val: valMetrics, best: isBest };
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
    bestValDice: tracker.bestEpoch === null ? null : tracker.bestScore,
    kappa: kappa.kappa,
    stopReason,
  };
}
