/**
 * How long a job will take, from a measured cost per training image (speed-job.ts) and the job's size.
 * Pure arithmetic, so the UI can show the estimate before anything starts and tests can check it.
 *
 * What is counted: every training image of every step, and evaluation passes at a third of a training
 * image each (a forward pass without gradients costs about a third of forward + backward + update).
 * What is not: data loading, checkpoints, and the generators' FD/KID measurements; the text says so.
 */
import { syntheticCounts } from './enlargement.ts';

/** A forward-only pass relative to one training image (forward + backward + update). */
export const EVAL_FRACTION = 1 / 3;

export interface Estimate {
  seconds: number;
  /** True when the figure is a ceiling (early stopping usually ends sooner). */
  upperBound: boolean;
  /** What was counted, in words. */
  counted: string;
}

export interface GanJobSize {
  /** Training images per class (the class generators train one after another). */
  classCounts: readonly number[];
  kimgPerClass: number;
  batchSize: number;
  /** Images already shown per class (a resumed run only does the rest); default none. */
  doneImages?: readonly number[];
}

export function estimateGan(msPerImage: number, j: GanJobSize): Estimate {
  let images = 0;
  j.classCounts.forEach((_, c) => {
    const left = Math.max(0, j.kimgPerClass * 1000 - (j.doneImages?.[c] ?? 0));
    images += Math.ceil(left / j.batchSize) * j.batchSize;
  });
  const n = j.classCounts.length;
  return {
    seconds: (images * msPerImage) / 1000,
    upperBound: false,
    counted: `${n} generator${n === 1 ? '' : 's'} × ${j.kimgPerClass} kimg${j.doneImages?.some((d) => d > 0) ? ' (less what is already done)' : ''}, training steps only (FD/KID measurements come on top)`,
  };
}

export interface ClassifyJobSize {
  trainCounts: readonly number[];
  valCount: number;
  testCount: number;
  seeds: number;
  baseline: boolean;
  extras: readonly number[];
  epochs: number;
}

export function estimateClassify(msPerImage: number, j: ClassifyJobSize): Estimate {
  const real = j.trainCounts.reduce((a, b) => a + b, 0);
  // null: the baseline arm (real images only); a number: an arm enlarged by that synthetic fraction.
  const arms: (number | null)[] = [...(j.baseline ? [null] : []), ...j.extras];
  let images = 0;
  for (const extra of arms) {
    const synthetic = extra === null ? 0 : syntheticCounts(j.trainCounts, { target: null, extra, rounding: 'round' }).reduce((a, b) => a + b, 0);
    const perEpoch = real + synthetic + EVAL_FRACTION * j.valCount;
    images += j.seeds * (j.epochs * perEpoch + EVAL_FRACTION * j.testCount + synthetic * EVAL_FRACTION);
  }
  const runs = j.seeds * arms.length;
  return {
    seconds: (images * msPerImage) / 1000,
    upperBound: true,
    counted: `${runs} training run${runs === 1 ? '' : 's'} of at most ${j.epochs} epochs (early stopping usually ends them sooner)`,
  };
}

export interface SegmentJobSize {
  train: number;
  val: number;
  test: number;
  /** Synthetic images pseudo-labelled each round. */
  synthetic: number;
  /** Rounds after round 0. */
  rounds: number;
  epochs: number;
}

export function estimateSegment(msPerImage: number, j: SegmentJobSize): Estimate {
  let images = 0;
  for (let round = 0; round <= j.rounds; round++) {
    const trainImages = j.train + (round > 0 ? j.synthetic : 0);
    images += j.epochs * (trainImages + EVAL_FRACTION * j.val) + EVAL_FRACTION * (j.test + j.synthetic);
  }
  return {
    seconds: (images * msPerImage) / 1000,
    upperBound: false,
    counted: `round 0 and ${j.rounds} pseudo-label round${j.rounds === 1 ? '' : 's'}, ${j.epochs} epochs each`,
  };
}

/** "40 s", "12 min", "3 h 10 min", "2 days": rounded to what a person plans with. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.round(hours / 24)} days`;
}
