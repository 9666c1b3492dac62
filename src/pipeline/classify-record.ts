/**
 * What a classification experiment stores and reports: its settings, one result per (arm, seed) with the
 * test metrics and learning curve, and the summary over seeds. Plain data (no tensors), so the worker saves
 * it, the UI draws it, the runner prints it and the exports format it from one definition.
 *
 * Arms: "baseline" trains on the real training split only; "ssgnet" on real + synthetic images by the
 * enlargement policy at fraction `extra` (several extras may be compared; the first is the headline one).
 */
import { meanStd, type MeanStd } from '../metrics/classification.ts';
import type { ClassifierPresetName } from '../models/classifier-config.ts';
import type { StopReason } from '../train/classifier-train.ts';
import type { PoolSource } from './synthetic-pool.ts';

export const CLASSIFY_SCHEMA_VERSION = 1;

export type Arm = 'baseline' | 'ssgnet';

export interface ClassifyTrainingSettings {
  /** Most epochs per run (early stopping may end sooner). */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Flips, small affine and intensity jitter on training batches. */
  augment: boolean;
  classWeights: 'none' | 'balanced';
  /** Epochs without a better validation macro-F1 before stopping; 0 = never stop early. */
  patience: number;
}

export interface ClassifyExperimentOptions {
  datasetId: string;
  /** Classifier architecture (src/models/classifier-config.ts). */
  preset: ClassifierPresetName;
  /** One run per seed and arm: the seed fixes initial weights, batch order, augmentation and the synthetic draw. */
  seeds: number[];
  /** Run the real-only arm too (the comparison needs it). */
  baseline: boolean;
  /** Synthetic fractions for the "ssgnet" arms (RECIPE §2), e.g. [0.5]; [] = baseline only. */
  extras: number[];
  training: ClassifyTrainingSettings;
  /** Truncation of the generators' samples (1 = none). */
  psi: number;
  /** Generator run per class index; unset classes use the dataset's most trained run. */
  generatorRunIds?: Record<number, string>;
}

export const DEFAULT_CLASSIFY_TRAINING: ClassifyTrainingSettings = { epochs: 30, batchSize: 32, learningRate: 1e-3, augment: true, classWeights: 'none', patience: 8 };

/** One epoch of a run's learning curve. */
export interface EpochPoint {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  valMacroF1: number | null;
  learningRate: number;
  seconds: number;
}

export interface ArmResult {
  arm: Arm;
  /** Synthetic fraction (0 for the baseline). */
  extra: number;
  seed: number;
  /** On the real test split. */
  accuracy: number;
  macroF1: number;
  auc: number;
  /** [true][predicted]. */
  confusion: number[][];
  precision: number[];
  recall: number[];
  f1: number[];
  /** Training images per class: real, and synthetic added. */
  trainReal: number[];
  trainSynthetic: number[];
  bestEpoch: number | null;
  stopReason: StopReason;
  curve: EpochPoint[];
  seconds: number;
}

export type ExperimentStatus = 'running' | 'done' | 'stopped' | 'failed';

export interface ClassifyExperiment {
  schema: number;
  id: string;
  datasetId: string;
  datasetName: string;
  classes: string[];
  options: ClassifyExperimentOptions;
  /** tfjs backend the runs trained on. */
  backend: string;
  parameters: number;
  /** Real images per split. */
  splitSizes: { train: number; val: number; test: number };
  status: ExperimentStatus;
  message: string;
  /** Generators that made the synthetic images (per class), empty without ssgnet arms. */
  generators: PoolSource[];
  results: ArmResult[];
  createdAt: string;
  updatedAt: string;
  seconds: number;
}

/** How an arm is named in tables: "baseline", "ssgnet" (headline extra), "ssgnet +100%" (other extras). */
export function armLabel(arm: Arm, extra: number, headlineExtra: number | undefined): string {
  if (arm === 'baseline') return 'baseline';
  return extra === headlineExtra ? 'ssgnet' : `ssgnet +${Math.round(extra * 100)}%`;
}

export interface ArmSummary {
  label: string;
  arm: Arm;
  extra: number;
  runs: number;
  accuracy: MeanStd;
  macroF1: MeanStd;
  auc: MeanStd;
}

/** Mean and sample std over seeds, per arm label, in a stable order (baseline first, then extras as given). */
export function summariseArms(e: Pick<ClassifyExperiment, 'results' | 'options'>): ArmSummary[] {
  const headline = e.options.extras[0];
  const order = [...(e.options.baseline ? [{ arm: 'baseline' as Arm, extra: 0 }] : []), ...e.options.extras.map((x) => ({ arm: 'ssgnet' as Arm, extra: x }))];
  return order
    .map(({ arm, extra }) => {
      const rs = e.results.filter((r) => r.arm === arm && (arm === 'baseline' || r.extra === extra));
      return {
        label: armLabel(arm, extra, headline),
        arm,
        extra,
        runs: rs.length,
        accuracy: meanStd(rs.map((r) => r.accuracy)),
        macroF1: meanStd(rs.map((r) => r.macroF1)),
        auc: meanStd(rs.map((r) => r.auc)),
      };
    })
    .filter((s) => s.runs > 0);
}

/**
 * The difference between the headline ssgnet arm and the baseline over the seeds both have (paired by
 * seed: the same seed gives both arms the same initial weights), or null when no seed has both.
 */
export function pairedDifference(e: Pick<ClassifyExperiment, 'results' | 'options'>, metric: 'accuracy' | 'macroF1'): (MeanStd & { wins: number }) | null {
  const headline = e.options.extras[0];
  const diffs: number[] = [];
  let wins = 0;
  for (const b of e.results.filter((r) => r.arm === 'baseline')) {
    const s = e.results.find((r) => r.arm === 'ssgnet' && r.extra === headline && r.seed === b.seed);
    if (!s) continue;
    const d = s[metric] - b[metric];
    diffs.push(d);
    if (d > 0) wins++;
  }
  return diffs.length ? { ...meanStd(diffs), wins } : null;
}

/** report.json's `summary`: { baseline: {...}, ssgnet: {...}, ... } keyed by arm label (a contract). */
export function reportSummary(e: Pick<ClassifyExperiment, 'results' | 'options'>): Record<string, { accuracy_mean: number; accuracy_std: number; macro_f1_mean: number; macro_f1_std: number; auc_mean: number; auc_std: number; runs: number; extra: number }> {
  const out: ReturnType<typeof reportSummary> = {};
  for (const s of summariseArms(e)) {
    out[s.label] = {
      accuracy_mean: s.accuracy.mean,
      accuracy_std: s.accuracy.std,
      macro_f1_mean: s.macroF1.mean,
      macro_f1_std: s.macroF1.std,
      auc_mean: s.auc.mean,
      auc_std: s.auc.std,
      runs: s.runs,
      extra: s.extra,
    };
  }
  return out;
}

/** report.json's `classification` rows (a contract: arm, seed, accuracy, macro_f1, auc, confusion, + extras). */
export function reportRows(e: ClassifyExperiment) {
  const headline = e.options.extras[0];
  return e.results.map((r) => ({
    arm: r.arm,
    label: armLabel(r.arm, r.extra, headline),
    extra: r.extra,
    seed: r.seed,
    accuracy: r.accuracy,
    macro_f1: r.macroF1,
    auc: r.auc,
    confusion: r.confusion,
    precision: r.precision,
    recall: r.recall,
    train_real: r.trainReal,
    train_synthetic: r.trainSynthetic,
    best_epoch: r.bestEpoch,
    epochs_run: r.curve.length,
    stop_reason: r.stopReason,
    seconds: r.seconds,
  }));
}

/** One CSV row per run, per-class precision and recall in their own columns (RFC 4180 quoting). */
export function resultsCsv(e: ClassifyExperiment): string {
  const headline = e.options.extras[0];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : '');
  const head = ['arm', 'extra', 'seed', 'accuracy', 'macro_f1', 'auc', ...e.classes.flatMap((c) => [`precision_${c}`, `recall_${c}`]), 'train_real', 'train_synthetic', 'best_epoch', 'epochs_run', 'stop_reason', 'seconds'];
  const rows = e.results.map((r) => [
    armLabel(r.arm, r.extra, headline),
    num(r.extra),
    String(r.seed),
    num(r.accuracy),
    num(r.macroF1),
    num(r.auc),
    ...e.classes.flatMap((_, c) => [num(r.precision[c] ?? NaN), num(r.recall[c] ?? NaN)]),
    String(r.trainReal.reduce((s, n) => s + n, 0)),
    String(r.trainSynthetic.reduce((s, n) => s + n, 0)),
    r.bestEpoch === null ? '' : String(r.bestEpoch + 1),
    String(r.curve.length),
    r.stopReason,
    num(r.seconds),
  ]);
  return [head, ...rows].map((row) => row.map(q).join(',')).join('\n') + '\n';
}

/** "84.3 ± 1.2" in percent; "84.3" with one run (no spread); "-" for none. */
export function pct(m: MeanStd): string {
  if (m.n === 0 || Number.isNaN(m.mean)) return '-';
  return Number.isNaN(m.std) ? (100 * m.mean).toFixed(1) : `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`;
}
