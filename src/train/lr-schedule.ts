/**
 * Learning-rate schedules for the classifier and the segmenter, as plain functions of training progress (fractional epochs),
 * plus reduce-on-plateau, which the paper uses and which alone depends on validation results.
 *
 * Progress is measured in epochs (epoch index + fraction of its batches done), so a schedule means the same
 * thing whatever the batch size or training-set size (an enlarged set has more steps per epoch).
 */

export type LrSchedule =
  /** The base rate throughout. */
  | { kind: 'constant' }
  /**
   * Linear warm-up from base / 1000 (not 0: a zero first step would be wasted) over warmupEpochs, then a half cosine from the base rate down to
   * base * minFactor at the last epoch (Loshchilov & Hutter 2017, without restarts).
   */
  | { kind: 'cosine'; warmupEpochs: number; minFactor: number }
  /** base * gamma^floor(epoch / everyEpochs) (torch's StepLR). */
  | { kind: 'step'; everyEpochs: number; gamma: number }
  /**
   * Multiply by `factor` when the validation score has not improved for `patience` epochs, never below
   * base * minFactor (Keras' ReduceLROnPlateau, which the paper's classifier uses). Needs a validation split.
   */
  | { kind: 'plateau'; factor: number; patience: number; minFactor: number }
  /**
   * base * (1 - progress)^power with progress = epoch / totalEpochs in [0, 1] (the "poly" policy of DeepLab,
   * used by the t-vMF U-Net: `0.01 * (1 - iters / maxiter)^0.9`). Fractional epochs make it per step, as
   * theirs is; it reaches 0 at the very end of training.
   */
  | { kind: 'poly'; power: number };

export const DEFAULT_SCHEDULE: LrSchedule = { kind: 'cosine', warmupEpochs: 1, minFactor: 0.01 };

/** The t-vMF authors' poly schedule (power 0.9). */
export const DEFAULT_POLY_SCHEDULE: LrSchedule = { kind: 'poly', power: 0.9 };

/**
 * The rate at a point in training. `epoch` is fractional (3.5 = half-way through the 4th epoch), in
 * [0, totalEpochs). Stateless schedules only: for 'plateau' use PlateauScheduler.
 */
export function scheduledLearningRate(schedule: LrSchedule, baseLr: number, epoch: number, totalEpochs: number): number {
  switch (schedule.kind) {
    case 'constant':
    case 'plateau':
      return baseLr;
    case 'cosine': {
      const warm = schedule.warmupEpochs;
      if (warm > 0 && epoch < warm) return baseLr * (1e-3 + (1 - 1e-3) * (epoch / warm));
      const span = Math.max(totalEpochs - warm, 1e-9);
      const t = Math.min(Math.max((epoch - warm) / span, 0), 1);
      const min = baseLr * schedule.minFactor;
      return min + ((baseLr - min) * (1 + Math.cos(Math.PI * t))) / 2;
    }
    case 'step':
      return baseLr * schedule.gamma ** Math.floor(epoch / schedule.everyEpochs);
    case 'poly': {
      const t = Math.min(Math.max(epoch / Math.max(totalEpochs, 1e-9), 0), 1);
      return baseLr * (1 - t) ** schedule.power;
    }
    default: {
      const never: never = schedule;
      throw new Error(`unknown schedule ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A schedule with its state: rateAt() within an epoch, epochEnd() with the epoch's validation score
 * (higher is better; ignored by the stateless schedules).
 */
export class LrScheduler {
  private plateauFactor = 1;
  private best = -Infinity;
  private sinceBest = 0;

  constructor(
    readonly schedule: LrSchedule,
    readonly baseLr: number,
    readonly totalEpochs: number,
  ) {
    if (!(baseLr > 0)) throw new Error(`learning rate must be > 0, got ${baseLr}`);
    if (schedule.kind === 'poly' && !(schedule.power >= 0 && Number.isFinite(schedule.power))) throw new Error(`poly power must be >= 0, got ${schedule.power}`);
  }

  rateAt(epoch: number): number {
    return scheduledLearningRate(this.schedule, this.baseLr, epoch, this.totalEpochs) * this.plateauFactor;
  }

  /** Report an epoch's validation score (e.g. macro-F1); a plateau schedule may lower the rate. */
  epochEnd(score: number | null): void {
    if (this.schedule.kind !== 'plateau' || score === null || Number.isNaN(score)) return;
    if (score > this.best) {
      this.best = score;
      this.sinceBest = 0;
      return;
    }
    this.sinceBest++;
    if (this.sinceBest >= this.schedule.patience) {
      this.plateauFactor = Math.max(this.plateauFactor * this.schedule.factor, this.schedule.minFactor);
      this.sinceBest = 0;
    }
  }
}
