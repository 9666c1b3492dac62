/**
 * Scoring and selecting pseudo-masks of synthetic images (RECIPE §4, the paper's "future work": confidence-
 * weighted pseudo-label selection). Pure functions on typed arrays: the segmenter's foreground probability
 * map in (predictMasks), scores, decisions and loss weights out.
 *
 * Per image, from its foreground probabilities p (one per pixel):
 * - meanMaxProb: mean over pixels of max(p, 1 - p), in [0.5, 1] (0.5: every pixel a coin flip).
 * - meanEntropy: mean over pixels of the binary entropy -(p ln p + (1 - p) ln(1 - p)) / ln 2, natural log
 *   normalised by its maximum ln 2 so it lies in [0, 1] (0 ln 0 = 0).
 * - agreement: IoU of this round's mask (p >= 0.5) with the previous round's mask of the same image; null in
 *   round 0 (no previous mask). Both masks empty: 1 (they agree exactly). Unlike the test metrics, this
 *   compares two predictions, so an empty-vs-empty agreement is full agreement, not an undefined score.
 * - confidence (the combined score, in [0, 1]): 2 * meanMaxProb - 1 = mean |2p - 1|, the mean margin of the
 *   pixel decisions: 0 when every pixel sits at p = 0.5, 1 when every pixel is certain. It is the mean
 *   max-probability rescaled to [0, 1], so thresholds read the same on any image size. Entropy and agreement
 *   are reported beside it for the user, not folded in: agreement does not exist in round 0, and mixing the
 *   three would make the threshold mean something different from round to round.
 *   Known limit: on images that are mostly background, confident background pixels dominate the mean and an
 *   unsure lesion boundary moves it little.
 *
 * Selection: an image is accepted when confidence >= threshold, unless the user overrides it ('accept' or
 * 'reject' by image id), which always wins. Loss weights (for the confidence-weighted loss): accepted images
 * weigh max(confidence, minWeight) ('confidence' mode) or 1 ('uniform'); rejected images weigh 0 and are
 * left out of the training set.
 */

export interface PseudoLabelScore {
  id: string;
  meanMaxProb: number;
  meanEntropy: number;
  /** IoU with the previous round's mask; null in round 0. */
  agreement: number | null;
  /** 2 * meanMaxProb - 1, in [0, 1]. */
  confidence: number;
}

export type PseudoLabelOverride = 'accept' | 'reject';

export interface PseudoLabelDecision {
  id: string;
  accepted: boolean;
  /** Why: the threshold, or the user's override. */
  reason: 'threshold' | 'override';
  confidence: number;
}

const LN2 = Math.log(2);

/** Binary entropy of p in nats (0 at p = 0 or 1). */
function entropyNats(p: number): number {
  let h = 0;
  if (p > 0) h -= p * Math.log(p);
  if (p < 1) h -= (1 - p) * Math.log(1 - p);
  return h;
}

/** 0/1 mask of one or more images: 1 where p >= threshold. */
export function maskFromProbabilities(probs: ArrayLike<number>, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = (probs[i] as number) >= threshold ? 1 : 0;
  return out;
}

/** IoU of two 0/1 masks of the same length; 1 when both are empty. */
export function maskIoU(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maskIoU: masks of ${a.length} and ${b.length} pixels`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * Scores of one image from its foreground probabilities (values in [0, 1]) and, after round 0, its previous
 * mask (same pixel count).
 */
export function scorePseudoLabel(id: string, probs: ArrayLike<number>, previousMask: ArrayLike<number> | null = null): PseudoLabelScore {
  const n = probs.length;
  if (n === 0) throw new Error(`scorePseudoLabel: image ${id} has no pixels`);
  let maxSum = 0;
  let entSum = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[i] as number;
    if (!(p >= 0 && p <= 1)) throw new Error(`scorePseudoLabel: image ${id} has probability ${p} at pixel ${i}`);
    maxSum += Math.max(p, 1 - p);
    entSum += entropyNats(p);
  }
  const meanMaxProb = maxSum / n;
  const agreement = previousMask ? maskIoU(maskFromProbabilities(probs), previousMask) : null;
  return { id, meanMaxProb, meanEntropy: entSum / n / LN2, agreement, confidence: Math.min(1, Math.max(0, 2 * meanMaxProb - 1)) };
}

/**
 * Scores of every image of a batch: probs holds ids.length images of `pixelsPerImage` values each (row-major,
 * as predictMasks returns them); previousMasks the same layout, or null in round 0.
 */
export function scorePseudoLabels(ids: readonly string[], probs: Float32Array, pixelsPerImage: number, previousMasks: Uint8Array | null = null): PseudoLabelScore[] {
  if (probs.length !== ids.length * pixelsPerImage) throw new Error(`scorePseudoLabels: ${probs.length} probabilities for ${ids.length} images of ${pixelsPerImage} pixels`);
  if (previousMasks && previousMasks.length !== probs.length) throw new Error(`scorePseudoLabels: ${previousMasks.length} previous mask pixels for ${probs.length} probabilities`);
  if (new Set(ids).size !== ids.length) throw new Error('scorePseudoLabels: image ids must be unique');
  return ids.map((id, i) => {
    const range = [i * pixelsPerImage, (i + 1) * pixelsPerImage] as const;
    return scorePseudoLabel(id, probs.subarray(...range), previousMasks ? previousMasks.subarray(...range) : null);
  });
}

/** Accept by confidence >= threshold; an override for an image id wins over the threshold. */
export function selectPseudoLabels(
  scores: readonly PseudoLabelScore[],
  threshold: number,
  overrides: ReadonlyMap<string, PseudoLabelOverride> | Readonly<Record<string, PseudoLabelOverride>> = {},
): PseudoLabelDecision[] {
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`selectPseudoLabels: threshold must be in [0, 1], got ${threshold}`);
  const lookup = (id: string): PseudoLabelOverride | undefined =>
    overrides instanceof Map ? overrides.get(id) : Object.prototype.hasOwnProperty.call(overrides, id) ? (overrides as Record<string, PseudoLabelOverride>)[id] : undefined;
  return scores.map((s) => {
    const o = lookup(s.id);
    if (o === 'accept' || o === 'reject') return { id: s.id, accepted: o === 'accept', reason: 'override', confidence: s.confidence };
    return { id: s.id, accepted: s.confidence >= threshold, reason: 'threshold', confidence: s.confidence };
  });
}

export interface PseudoLabelWeightOptions {
  /** 'confidence': accepted images weigh their confidence; 'uniform': 1. */
  mode: 'confidence' | 'uniform';
  /**
   * Lowest weight of an accepted image in 'confidence' mode (default 0.05): an image the user accepted by
   * override despite a confidence near 0 should still count a little.
   */
  minWeight?: number;
}

/** Loss weight per decision (same order): rejected 0, accepted per the mode. */
export function pseudoLabelWeights(decisions: readonly PseudoLabelDecision[], o: PseudoLabelWeightOptions): Float32Array {
  const floor = o.minWeight ?? 0.05;
  if (!(floor >= 0 && floor <= 1)) throw new Error(`pseudoLabelWeights: minWeight must be in [0, 1], got ${floor}`);
  return Float32Array.from(decisions, (d) => (!d.accepted ? 0 : o.mode === 'uniform' ? 1 : Math.max(d.confidence, floor)));
}
