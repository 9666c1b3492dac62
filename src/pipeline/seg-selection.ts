/**
 * Which pseudo-labels train the next round, from a stored round's masks and scores and the user's review:
 * pure functions on typed arrays (no tfjs), shared by the round loop in the worker and the review grid's
 * state on the UI thread, so both always agree on what "selected" means.
 */
import type { MaskSplit } from '../train/seg-data.ts';
import { pseudoLabelWeights, selectPseudoLabels, type PseudoLabelDecision, type PseudoLabelScore } from './pseudo-labels.ts';
import type { SegReview } from './seg-rounds-record.ts';
import type { SegSyntheticSet } from './seg-synthetic.ts';

/** A round's per-image arrays (one entry per synthetic image, stored order). */
export interface SegRoundArrays {
  /** N x size x size 0/1 predicted masks. */
  masks: Uint8Array;
  confidence: Float32Array;
  entropy: Float32Array;
  /** IoU with the previous round's mask; NaN in round 0. */
  agreement: Float32Array;
}

export interface PseudoSet {
  /** Only the pseudo-labelled images (weights null with uniform weighting). */
  split: MaskSplit;
  /** Synthetic image indices used, in order. */
  used: number[];
  overridden: number;
  corrected: number;
  meanWeight: number | null;
}

/** Scores of a stored round as pseudo-labels.ts takes them. */
export function scoresOf(ids: readonly string[], a: SegRoundArrays): PseudoLabelScore[] {
  return ids.map((id, i) => {
    const conf = a.confidence[i] as number;
    const ag = a.agreement[i] as number;
    return { id, confidence: conf, meanMaxProb: (conf + 1) / 2, meanEntropy: a.entropy[i] as number, agreement: Number.isNaN(ag) ? null : ag };
  });
}

/**
 * Which pseudo-labels train the next round: an explicit 'reject' leaves an image out; a corrected mask puts
 * it in (with weight 1: it is the user's own label); otherwise the threshold, with 'accept' winning over it.
 */
export function decidePseudoLabels(ids: readonly string[], a: SegRoundArrays, threshold: number, review: SegReview): PseudoLabelDecision[] {
  const corrected = new Set(review.corrected);
  return selectPseudoLabels(scoresOf(ids, a), threshold, review.overrides).map((d) =>
    corrected.has(d.id) && review.overrides[d.id] !== 'reject' ? { ...d, accepted: true, reason: 'override' as const } : d,
  );
}

/** The pseudo-labelled training images from a round's masks, selection and review (pure). */
export function pseudoTrainingSet(
  synthetic: SegSyntheticSet,
  size: number,
  channels: 1 | 3,
  a: SegRoundArrays,
  review: SegReview,
  correctedMasks: Record<string, Uint8Array>,
  threshold: number,
  weighting: 'uniform' | 'confidence',
): PseudoSet {
  const decisions = decidePseudoLabels(synthetic.ids, a, threshold, review);
  const weights = pseudoLabelWeights(decisions, { mode: weighting });
  const px = size * size * channels;
  const mpx = size * size;
  const used: number[] = [];
  decisions.forEach((d, i) => d.accepted && used.push(i));
  const images = new Uint8Array(used.length * px);
  const masks = new Uint8Array(used.length * mpx);
  const w = new Float32Array(used.length);
  let overridden = 0;
  let corrected = 0;
  used.forEach((i, k) => {
    const id = synthetic.ids[i]!;
    images.set(synthetic.images.subarray(i * px, (i + 1) * px), k * px);
    const fix = correctedMasks[id];
    if (fix) {
      if (fix.length !== mpx) throw new Error(`corrected mask of ${id} has ${fix.length} pixels, expected ${mpx}`);
      masks.set(fix, k * mpx);
      corrected++;
      w[k] = 1;
    } else {
      masks.set(a.masks.subarray(i * mpx, (i + 1) * mpx), k * mpx);
      w[k] = weights[i] as number;
    }
    if (review.overrides[id] === 'accept') overridden++;
  });
  const meanWeight = used.length ? w.reduce((s, x) => s + x, 0) / used.length : null;
  return { split: { images, masks, size, channels, weights: weighting === 'confidence' ? w : null }, used, overridden, corrected, meanWeight };
}

/** The review a new round starts with: the previous one's rejections and corrections (see the top). */
export function carryReview(prev: SegReview | null, prevCorrected: Record<string, Uint8Array>): { review: SegReview; corrected: Record<string, Uint8Array> } {
  if (!prev) return { review: { overrides: {}, corrected: [] }, corrected: {} };
  const overrides: SegReview['overrides'] = {};
  for (const [id, o] of Object.entries(prev.overrides)) if (o === 'reject') overrides[id] = o;
  const corrected: Record<string, Uint8Array> = {};
  for (const id of prev.corrected) if (prevCorrected[id]) corrected[id] = prevCorrected[id]!;
  return { review: { overrides, corrected: Object.keys(corrected) }, corrected };
}
