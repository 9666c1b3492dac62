/**
 * What a pseudo-labelling experiment stores and reports (RECIPE §4): its settings, one record per round with
 * the test metrics, the kappa trace and learning curve, what the round trained on, and a summary of the
 * pseudo-masks it predicted. Plain data (no tensors): the worker saves it, the UI draws it, the runner prints
 * it, and the exports format it, all from these definitions.
 *
 * Rounds: round 0 trains on the real labelled images only (the baseline); round r >= 1 retrains a fresh
 * U-Net (from scratch, as the paper does, with the same initial weights as round 0, so a round differs from
 * the others only by its training set) on the real images plus the pseudo-labelled synthetic images that
 * round r - 1 predicted and the selection (threshold + the user's review of round r - 1) kept.
 *
 * The big arrays live in their own records (seg-runs.ts): the synthetic images once per experiment, the
 * pseudo-masks and their scores once per round, the user's corrected masks per reviewed round.
 */
import type { SegmentationMetrics } from '../metrics/segmentation.ts';
import type { UNetPresetName } from '../models/unet-config.ts';

import type { SegLossName } from '../train/adaptive-kappa.ts';
import type { SegStopReason } from '../train/segmenter-train.ts';
import type { PseudoLabelOverride } from './pseudo-labels.ts';

export const SEGMENT_SCHEMA_VERSION = 1;

/**
 * Segmenters the experiment can train: the U-Net (SGD + poly, the t-vMF authors' setting) and VM-UNet-lite
 * (AdamW + cosine, VM-UNet's setting; its selective scan runs as our WGSL kernel on WebGPU).
 */
export type SegModelName = 'unet' | 'vmunet';
export const SEG_MODELS: readonly SegModelName[] = ['unet', 'vmunet'];

export interface SegTrainingSettings {
  /** Epochs per round (every epoch runs; the best validation Dice epoch is kept, as the authors do). */
  epochs: number;
  batchSize: number;
  /** Base learning rate: SGD 0.01 with the poly schedule for the t-vMF losses, AdamW 1e-3 for 'bcedice'. */
  learningRate: number;
  /** Rotations and flips on image and mask together. */
  augment: boolean;
}

/** The settings a round trains with (the experiment's current ones; each round keeps a copy). */
export interface SegRoundSettings {
  model: SegModelName;
  preset: UNetPresetName;
  loss: SegLossName;
  training: SegTrainingSettings;
  /** Pseudo-masks with confidence >= threshold are used (0: all of them, the paper's setting). */
  threshold: number;
  /** 'confidence': a pseudo-labelled image's loss weighs its confidence (the paper's future work); 'uniform': 1. */
  weighting: 'uniform' | 'confidence';
}

export interface SegmentExperimentOptions extends SegRoundSettings {
  datasetId: string;
  /** Pseudo-label rounds after the baseline round 0 (the paper: 2). */
  rounds: number;
  /** Synthetic images to pseudo-label; null = as many as the real training images. */
  syntheticCount: number | null;
  /** Truncation of the generators' samples (1 = none). */
  psi: number;
  /** Seeds the initial weights, batch order, augmentation and the synthetic draw. */
  seed: number;
  /** Generator run per class index ("all" for a set without class labels); unset: the most trained run. */
  generatorRunIds?: Record<string, string>;
  /** Score every round on this dataset (all its images, e.g. an external test set) instead of the test split. */
  testDatasetId?: string | null;
}

export const DEFAULT_SEG_TRAINING: SegTrainingSettings = { epochs: 30, batchSize: 8, learningRate: 0.01, augment: true };

/** Test metrics of a round (pooled over every test pixel, threshold 0.5; see metrics/segmentation.ts). */
export type SegRoundMetrics = Omit<SegmentationMetrics, 'tp' | 'fp' | 'tn' | 'fn'> & { tp: number; fp: number; tn: number; fn: number };

/** One epoch of a round's curve. */
export interface SegEpochPoint {
  epoch: number;
  loss: number;
  valDice: number | null;
  valMiou: number | null;
  /** Kappa [background, foreground] the epoch trained with. */
  kappa: number[];
  learningRate: number;
  seconds: number;
}

/** The user's review of a round's pseudo-masks, applied when the next round picks its training set. */
export interface SegReview {
  /** By synthetic image id: 'accept' or 'reject' wins over the threshold. */
  overrides: Record<string, PseudoLabelOverride>;
  /** Ids whose mask the user corrected (the masks themselves are stored beside the round). */
  corrected: string[];
}

export interface SegRound {
  round: number;
  settings: SegRoundSettings;
  /** On the real test split (or the external test set). */
  metrics: SegRoundMetrics;
  curve: SegEpochPoint[];
  bestEpoch: number | null;
  stopReason: SegStopReason;
  /** Real training images, and pseudo-labelled images trained on out of all synthetic ones. */
  trainReal: number;
  pseudoUsed: number;
  pseudoTotal: number;
  /** Of the pseudo-labelled images used: how many by the user's override, how many with a corrected mask. */
  pseudoOverridden: number;
  pseudoCorrected: number;
  /** Mean loss weight of the pseudo-labelled images used (1 with uniform weighting; null when none). */
  pseudoMeanWeight: number | null;
  /** The masks this round predicted for the synthetic images: mean confidence, mean agreement with the previous round's. */
  predicted: { meanConfidence: number; meanEntropy: number; meanAgreement: number | null; aboveThreshold: number; foregroundShare: number };
  /** The user's review of this round's pseudo-masks (carried over from the previous round's at first). */
  review: SegReview;
  parameters: number;
  seconds: number;
}

export type SegExperimentStatus = 'running' | 'done' | 'stopped' | 'failed' | 'interrupted';

/** Where the synthetic images came from: one entry per generator. */
export interface SegSyntheticSource {
  classIndex: number | null;
  className: string;
  runId: string;
  step: number;
  kimg: number;
  preset: string;
  count: number;
}

export interface SegmentExperiment {
  schema: number;
  id: string;
  datasetId: string;
  datasetName: string;
  /** The settings the next round will use (each finished round keeps its own copy). */
  options: SegmentExperimentOptions;
  /** Set when this experiment was branched: the parent and the last round copied from it. */
  parent: { experimentId: string; round: number } | null;
  backend: string;
  /** Images per split; `test` counts the external test set when one is used. */
  splitSizes: { train: number; val: number; test: number };
  testSource: string;
  size: number;
  channels: 1 | 3;
  synthetic: SegSyntheticSource[];
  status: SegExperimentStatus;
  message: string;
  rounds: SegRound[];
  createdAt: string;
  updatedAt: string;
  seconds: number;
}

/** A round's pseudo-labels for the review grid (segment-round-data). */
export interface SegRoundData {
  experimentId: string;
  round: number;
  size: number;
  channels: 1 | 3;
  /** Synthetic image ids ("s0", "s1", ...) in stored order, and the generator class of each (-1: all images). */
  ids: string[];
  classIndex: Int16Array;
  /** N x size x size x channels uint8. */
  images: Uint8Array;
  /** N x size x size 0/1: the masks the round predicted. */
  masks: Uint8Array;
  /** Per image: 2 * mean max-prob - 1, mean normalised entropy, IoU with the previous round's mask (NaN in round 0). */
  confidence: Float32Array;
  entropy: Float32Array;
  agreement: Float32Array;
  /** The review saved for this round, and its corrected masks by id. */
  review: SegReview;
  correctedMasks: Record<string, Uint8Array>;
  /** Whether the image would train the next round (threshold and overrides). */
  selected: Uint8Array;
}

/** Changes for the next rounds (continue, branch): any round setting; training settings merge field by field. */
export type SegContinueChanges = Partial<Omit<SegRoundSettings, 'training'>> & { training?: Partial<SegTrainingSettings> };

/** report.json's `segmentation` rows (a contract: round, model, loss, miou, miou_classmean, dice, acc, spe, sen, pseudo_used, pseudo_total; extend, never rename). */
export function segmentReportRows(e: SegmentExperiment) {
  return e.rounds.map((r) => ({
    round: r.round,
    model: r.settings.model,
    loss: r.settings.loss,
    miou: r.metrics.miou,
    miou_classmean: r.metrics.miouClassMean,
    dice: r.metrics.dice,
    acc: r.metrics.accuracy,
    spe: r.metrics.specificity,
    sen: r.metrics.sensitivity,
    pseudo_used: r.pseudoUsed,
    pseudo_total: r.pseudoTotal,
    dice_classmean: r.metrics.diceClassMean,
    preset: r.settings.preset,
    threshold: r.settings.threshold,
    weighting: r.settings.weighting,
    pseudo_overridden: r.pseudoOverridden,
    pseudo_corrected: r.pseudoCorrected,
    mean_confidence: r.predicted.meanConfidence,
    mean_agreement: r.predicted.meanAgreement,
    best_epoch: r.bestEpoch,
    epochs_run: r.curve.length,
    kappa_final: r.curve.at(-1)?.kappa ?? null,
    stop_reason: r.stopReason,
    seconds: r.seconds,
  }));
}

const num = (x: number | null) => (x !== null && Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : '');

/** One CSV row per round (the report rows' columns). */
export function segmentCsv(e: SegmentExperiment): string {
  const rows = segmentReportRows(e);
  const head = ['round', 'model', 'loss', 'preset', 'miou', 'miou_classmean', 'dice', 'dice_classmean', 'acc', 'spe', 'sen', 'pseudo_used', 'pseudo_total', 'pseudo_overridden', 'pseudo_corrected', 'threshold', 'weighting', 'mean_confidence', 'mean_agreement', 'best_epoch', 'epochs_run', 'stop_reason', 'seconds'];
  const body = rows.map((r) =>
    [String(r.round), r.model, r.loss, r.preset, num(r.miou), num(r.miou_classmean), num(r.dice), num(r.dice_classmean), num(r.acc), num(r.spe), num(r.sen), String(r.pseudo_used), String(r.pseudo_total), String(r.pseudo_overridden), String(r.pseudo_corrected), num(r.threshold), r.weighting, num(r.mean_confidence), num(r.mean_agreement), r.best_epoch === null ? '' : String(r.best_epoch + 1), String(r.epochs_run), r.stop_reason, num(r.seconds)].join(','),
  );
  return [head.join(','), ...body].join('\n') + '\n';
}

const p1 = (x: number) => (100 * x).toFixed(2);

/** "84.44 -> 86.40 -> 87.10" for one metric over the rounds (the paper's progression line). */
export function progressionLine(e: SegmentExperiment, metric: 'miou' | 'dice' = 'miou'): string {
  return e.rounds.map((r) => p1(r.metrics[metric])).join(' -> ');
}

/** Rows of the progression table: one per round (mIoU, Dice, Acc, Spe, Sen, pseudo-labels used). */
export function progressionRows(e: SegmentExperiment): string[][] {
  return e.rounds.map((r) => [r.round === 0 ? 'initial (real only)' : `round ${r.round}`, p1(r.metrics.miou), p1(r.metrics.miouClassMean), p1(r.metrics.dice), p1(r.metrics.accuracy), p1(r.metrics.specificity), p1(r.metrics.sensitivity), `${r.pseudoUsed}/${r.pseudoTotal}`]);
}

export const PROGRESSION_HEADER = ['round', 'mIoU (fg) %', 'mIoU (2-class) %', 'Dice %', 'Acc %', 'Spe %', 'Sen %', 'pseudo used'];

/** Baseline (round 0) vs the last round: the paper's "mIoU / Dice / Acc / Spe / Sen" columns and the change. */
export function baselineVsFinalRows(e: SegmentExperiment): string[][] {
  const first = e.rounds[0];
  const last = e.rounds.at(-1);
  if (!first || !last) return [];
  const metrics: [string, keyof SegRoundMetrics][] = [
    ['mIoU (fg)', 'miou'],
    ['mIoU (2-class)', 'miouClassMean'],
    ['Dice', 'dice'],
    ['Acc', 'accuracy'],
    ['Spe', 'specificity'],
    ['Sen', 'sensitivity'],
  ];
  return metrics.map(([label, k]) => {
    const a = first.metrics[k] as number;
    const b = last.metrics[k] as number;
    const d = 100 * (b - a);
    return [label, p1(a), p1(b), `${d >= 0 ? '+' : ''}${d.toFixed(2)}`];
  });
}
