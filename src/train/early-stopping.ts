/**
 * Which epoch's weights to keep and when to stop: the best validation score so far (higher is better,
 * e.g. macro-F1), ties on the score broken by a lower validation loss, and patience counted in epochs since
 * the best one. Pure bookkeeping, so the rule is tested apart from any training.
 */
export class BestEpochTracker {
  bestEpoch: number | null = null;
  bestScore = -Infinity;
  bestLoss = Infinity;

  /**
   * @param patience epochs without a new best before stopping; null never stops.
   * @param minDelta a score must beat the best by more than this to count as better.
   */
  constructor(
    readonly patience: number | null,
    readonly minDelta = 0,
  ) {}

  /**
   * Record an epoch's validation result; true when it is the new best (its weights should be kept).
   * A NaN score (metric undefined) never wins over a defined one. Equal scores are common on small validation
   * splits (BreastMNIST's has 78 images), where the lower loss is the better tie-break than the earlier epoch.
   */
  update(epoch: number, score: number, loss: number): boolean {
    const s = Number.isNaN(score) ? -Infinity : score;
    const l = Number.isNaN(loss) ? Infinity : loss;
    const better = this.bestEpoch === null || s > this.bestScore + this.minDelta || (s === this.bestScore && l < this.bestLoss);
    if (better) {
      this.bestEpoch = epoch;
      this.bestScore = s;
      this.bestLoss = l;
    }
    return better;
  }

  /** True when `patience` epochs have passed since the best one (call after update() for `epoch`). */
  shouldStop(epoch: number): boolean {
    return this.patience !== null && this.bestEpoch !== null && epoch - this.bestEpoch >= this.patience;
  }
}
