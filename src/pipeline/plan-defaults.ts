/**
 * Default settings chosen from the dataset's size and this adapter's measured speed, for a time budget
 * the user sets ("about 15 minutes"). Pure: the speeds come in as a lookup, and when a figure the choice
 * needs is missing, the answer is "measure this first" rather than a guess.
 *
 * Generators: the largest preset that still reaches a useful length within the budget. A bigger preset
 * costs several times more per image, so it is measured only when the smaller one's speed leaves room for
 * it; on a CPU-emulated adapter that stops at `tiny` or `fast`, on a real GPU it goes further.
 */
import type { GanPresetName, GanResolution, ImageChannels } from '../models/generator-config.ts';
import { estimateClassify, estimateGan, estimateSegment, type ClassifyJobSize, type SegmentJobSize } from './job-estimate.ts';
import type { SpeedJob } from './speed-job.ts';

export const GAN_PRESET_ORDER: readonly GanPresetName[] = ['tiny', 'fast', 'balanced', 'quality'];

/** Below this many kimg per class a preset has not started to learn the class (seen in our runs). */
export const MIN_KIMG: Record<GanPresetName, number> = { tiny: 0.2, fast: 1, balanced: 4, quality: 10 };
/** Beyond this, time is better spent on the next bigger preset. */
export const ENOUGH_KIMG: Record<GanPresetName, number> = { tiny: 2, fast: 20, balanced: 100, quality: 400 };
/** Assumed least cost ratio between neighbouring presets: only decides whether the bigger one is worth measuring. */
const NEXT_PRESET_COST = 3;

export interface GanPlanInput {
  /** Training images per class. */
  classCounts: readonly number[];
  /** The dataset's image size and channels. */
  size: number;
  channels: ImageChannels;
  budgetSeconds: number;
  /** Measured ms per image for a job, or null when not measured on this adapter. */
  speedOf: (job: SpeedJob) => number | null;
}

export type GanPlan =
  | { kind: 'plan'; preset: GanPresetName; kimg: number; batchSize: number; resolution: GanResolution; seconds: number; why: string }
  | { kind: 'measure'; job: SpeedJob; why: string };

/** Images per step: 16 (StyleGAN's browser-sized batch) unless a class is too small to fill it. */
export function ganBatchFor(classCounts: readonly number[]): number {
  const smallest = Math.min(...classCounts);
  return smallest >= 64 ? 16 : smallest >= 16 ? 8 : 4;
}

/** Rounds down to 1, 2 or 5 times a power of ten (0.2, 0.5, 1, 2, 5, 10, …): lengths a person reads at a glance. */
export function niceFloor(x: number): number {
  if (!(x > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

export function planGenerators(i: GanPlanInput): GanPlan {
  const resolution: GanResolution = i.size <= 32 ? 32 : 64;
  const batchSize = ganBatchFor(i.classCounts);
  const n = i.classCounts.length;
  const job = (preset: GanPresetName): SpeedJob => ({ kind: 'gan', preset, resolution, channels: i.channels, batchSize });
  const affordable = (ms: number) => i.budgetSeconds / (n * ms); // kimg per class: budget s / (classes * ms per image) * 1000 / 1000
  const plan = (preset: GanPresetName, ms: number, kimg: number): Extract<GanPlan, { kind: 'plan' }> => {
    const reaches = kimg >= MIN_KIMG[preset];
    const chosen = reaches ? niceFloor(Math.min(kimg, ENOUGH_KIMG[preset])) : Math.max(0.05, niceFloor(kimg));
    const seconds = estimateGan(ms, { classCounts: i.classCounts, kimgPerClass: chosen, batchSize }).seconds;
    const rate = `${(ms / 1000).toFixed(ms < 100 ? 3 : 2)} s per image measured here`;
    const why = reaches
      ? `${preset}: ${rate}, so ${n} generator${n === 1 ? '' : 's'} of ${chosen} kimg fit the budget; batch ${batchSize} for a smallest class of ${Math.min(...i.classCounts)} images`
      : `${preset}: ${rate}; even this preset reaches only ${niceFloor(kimg)} kimg per class in the budget, too short for images that look like the class: raise the budget`;
    return { kind: 'plan', preset, kimg: chosen, batchSize, resolution, seconds, why };
  };
  let best: Extract<GanPlan, { kind: 'plan' }> | null = null;
  let previousKimg = Infinity;
  for (const preset of GAN_PRESET_ORDER) {
    // The bigger preset costs at least NEXT_PRESET_COST times more per image: if it cannot reach its useful length, stop.
    if (best && previousKimg < NEXT_PRESET_COST * MIN_KIMG[preset]) break;
    const ms = i.speedOf(job(preset));
    if (ms === null) return { kind: 'measure', job: job(preset), why: best ? `to see whether the ${preset} preset fits the budget on this adapter` : 'to measure this adapter' };
    const kimg = affordable(ms);
    previousKimg = kimg;
    if (kimg < MIN_KIMG[preset]) {
      best ??= plan(preset, ms, kimg);
      break;
    }
    best = plan(preset, ms, kimg);
  }
  return best ?? { kind: 'measure', job: job('tiny'), why: 'to measure this adapter' };
}

/** Classification: at most this many epochs by training-set size (small sets need more passes). */
export function classifyEpochsFor(trainImages: number): number {
  return trainImages < 1000 ? 40 : trainImages < 5000 ? 30 : 15;
}

/** Fewer epochs than this stop a from-scratch classifier before it has learnt anything useful. */
const MIN_CLASSIFY_EPOCHS = 10;

export interface ClassifyPlan {
  seeds: number;
  epochs: number;
  seconds: number;
  /** False when even one seed at the least epochs overruns the budget. */
  fits: boolean;
}

/** Seeds (up to the paper's 3) first, then epochs (down to 10) until the experiment fits the budget. */
export function planClassify(msPerImage: number, size: Omit<ClassifyJobSize, 'seeds' | 'epochs'>, budgetSeconds: number): ClassifyPlan {
  const seconds = (seeds: number, epochs: number) => estimateClassify(msPerImage, { ...size, seeds, epochs }).seconds;
  let epochs = classifyEpochsFor(size.trainCounts.reduce((a, b) => a + b, 0));
  let seeds = 3;
  while (seeds > 1 && seconds(seeds, epochs) > budgetSeconds) seeds--;
  while (epochs > MIN_CLASSIFY_EPOCHS && seconds(seeds, epochs) > budgetSeconds) epochs = Math.max(MIN_CLASSIFY_EPOCHS, epochs - 5);
  return { seeds, epochs, seconds: seconds(seeds, epochs), fits: seconds(seeds, epochs) <= budgetSeconds };
}

export interface SegmentPlan {
  epochs: number;
  seconds: number;
  fits: boolean;
}

/** Segmentation: the paper's two rounds, and as many epochs per round (5 to 30) as the budget allows. */
export function planSegment(msPerImage: number, size: Omit<SegmentJobSize, 'epochs'>, budgetSeconds: number): SegmentPlan {
  const perEpoch = estimateSegment(msPerImage, { ...size, epochs: 1 }).seconds;
  const epochs = Math.max(5, Math.min(30, Math.floor(budgetSeconds / Math.max(perEpoch, 1e-9))));
  const seconds = estimateSegment(msPerImage, { ...size, epochs }).seconds;
  return { epochs, seconds, fits: seconds <= budgetSeconds };
}

/**
 * When the chosen model overruns the budget, the next smaller one in `order` (smallest first) to try:
 * 'measure' when its speed is not known yet, 'use' when it is and it fits better, null when there is none.
 */
export function smallerModel<P extends string>(order: readonly P[], current: P, fits: boolean, known: (p: P) => boolean): { preset: P; action: 'measure' | 'use' } | null {
  if (fits) return null;
  const k = order.indexOf(current);
  if (k <= 0) return null;
  const preset = order[k - 1]!;
  return { preset, action: known(preset) ? 'use' : 'measure' };
}

/** A probe that may start by itself must be short: longer ones wait for the user's click. */
export const AUTO_PROBE_SECONDS = 60;

/**
 * A lower bound on how long measuring a generator job takes (a warm-up and a timed step), from the nearest
 * smaller preset measured with the same size and batch; null when none was. `tiny` has no smaller preset and
 * counts as short (it is a few seconds even on a CPU-emulated adapter).
 */
export function ganProbeSecondsAtLeast(job: Extract<SpeedJob, { kind: 'gan' }>, speedOf: (job: SpeedJob) => number | null): number | null {
  const k = GAN_PRESET_ORDER.indexOf(job.preset);
  if (k === 0) return 0;
  for (let i = k - 1; i >= 0; i--) {
    const ms = speedOf({ ...job, preset: GAN_PRESET_ORDER[i]! });
    if (ms !== null) return (2 * job.batchSize * ms * NEXT_PRESET_COST ** (k - i)) / 1000;
  }
  return null;
}

export function ganAutoProbeOk(job: Extract<SpeedJob, { kind: 'gan' }>, speedOf: (job: SpeedJob) => number | null): boolean {
  const s = ganProbeSecondsAtLeast(job, speedOf);
  return s !== null && s <= AUTO_PROBE_SECONDS;
}
