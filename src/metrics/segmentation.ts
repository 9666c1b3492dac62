/**
 * Segmentation metrics as the paper's authors compute them (RECIPE §5): one confusion matrix POOLED over
 * every pixel of the test split (not a mean of per-image scores), foreground = class 1.
 *
 * - A pixel is predicted foreground when its foreground probability is >= 0.5 (VM-UNet's
 *   `np.where(preds >= 0.5, 1, 0)`). With 2 classes this equals argmax except at an exact tie (p = 0.5),
 *   which argmax gives to the background (the t-vMF code's dsc.py); ties have measure zero in practice.
 * - Acc = (TP + TN) / N, Sensitivity = TP / (TP + FN), Specificity = TN / (TN + FP),
 *   Dice = 2TP / (2TP + FP + FN), IoU = TP / (TP + FP + FN).
 * - `miou` is VM-UNet's "mIoU": the FOREGROUND IoU. `miouClassMean` is the mean of the background IoU
 *   TN / (TN + FN + FP) and the foreground IoU; `diceClassMean` likewise for Dice (the t-vMF code's average
 *   over classes). Both conventions are offered because the two papers differ.
 * - Zero division: every ratio whose denominator is 0 is reported as 0, as both authors' code does
 *   (VM-UNet's `... if denominator != 0 else 0`, dsc.py's zeros). So a split with no foreground anywhere,
 *   predicted with no foreground, scores Dice = IoU = Sensitivity = 0 (yet Acc = Specificity = 1): a
 *   foreground score is only meaningful when the split holds foreground. An empty split scores all 0.
 *
 * Plain numbers in, plain numbers out (counts are JS doubles, exact to 2^53 pixels), so a run streams its
 * batches into one SegmentationCounts and reads the metrics at the end.
 */

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface SegmentationMetrics extends ConfusionCounts {
  /** Pixels counted. */
  pixels: number;
  accuracy: number;
  sensitivity: number;
  specificity: number;
  /** Foreground Dice (F1). */
  dice: number;
  /** Foreground IoU (VM-UNet's "mIoU"). */
  miou: number;
  /** Mean of background and foreground IoU. */
  miouClassMean: number;
  /** Mean of background and foreground Dice (the t-vMF code's mean DSC). */
  diceClassMean: number;
  /** [background, foreground] Dice, what the adaptive kappa is computed from. */
  dicePerClass: [number, number];
  /** [background, foreground] IoU. */
  iouPerClass: [number, number];
}

/** The probability threshold of the authors' evaluation. */
export const SEG_THRESHOLD = 0.5;

const ratio = (num: number, den: number): number => (den !== 0 ? num / den : 0);

/** Metrics of pooled counts (zero-division convention: 0, see the top of the file). */
export function segmentationMetrics(c: ConfusionCounts): SegmentationMetrics {
  const { tp, fp, tn, fn } = c;
  const pixels = tp + fp + tn + fn;
  const diceFg = ratio(2 * tp, 2 * tp + fp + fn);
  const diceBg = ratio(2 * tn, 2 * tn + fn + fp);
  const iouFg = ratio(tp, tp + fp + fn);
  const iouBg = ratio(tn, tn + fn + fp);
  return {
    tp,
    fp,
    tn,
    fn,
    pixels,
    accuracy: ratio(tp + tn, pixels),
    sensitivity: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    dice: diceFg,
    miou: iouFg,
    miouClassMean: (iouBg + iouFg) / 2,
    diceClassMean: (diceBg + diceFg) / 2,
    dicePerClass: [diceBg, diceFg],
    iouPerClass: [iouBg, iouFg],
  };
}

/**
 * A streaming confusion matrix: add batches of (truth, prediction) and read pooled metrics at any time.
 * Adding in any split of the data gives exactly the counts of adding it at once.
 */
export class SegmentationCounts implements ConfusionCounts {
  tp = 0;
  fp = 0;
  tn = 0;
  fn = 0;

  /** Truth and predicted masks, 0/1 per pixel (any nonzero value counts as foreground). */
  addMasks(truth: ArrayLike<number>, predicted: ArrayLike<number>): this {
    if (truth.length !== predicted.length) throw new Error(`SegmentationCounts: ${truth.length} truth pixels but ${predicted.length} predicted`);
    for (let i = 0; i < truth.length; i++) this.count(truth[i] !== 0, predicted[i] !== 0);
    return this;
  }

  /** Truth mask and foreground probabilities; foreground when p >= threshold (0.5). */
  addProbabilities(truth: ArrayLike<number>, probabilities: ArrayLike<number>, threshold = SEG_THRESHOLD): this {
    if (truth.length !== probabilities.length) throw new Error(`SegmentationCounts: ${truth.length} truth pixels but ${probabilities.length} probabilities`);
    for (let i = 0; i < truth.length; i++) this.count(truth[i] !== 0, (probabilities[i] as number) >= threshold);
    return this;
  }

  /** Add counts computed elsewhere (e.g. on the device for one batch). */
  addCounts(c: ConfusionCounts): this {
    for (const v of [c.tp, c.fp, c.tn, c.fn]) if (!(Number.isInteger(v) && v >= 0)) throw new Error(`SegmentationCounts: bad count ${v}`);
    this.tp += c.tp;
    this.fp += c.fp;
    this.tn += c.tn;
    this.fn += c.fn;
    return this;
  }

  get pixels(): number {
    return this.tp + this.fp + this.tn + this.fn;
  }

  metrics(): SegmentationMetrics {
    return segmentationMetrics(this);
  }

  private count(isTrue: boolean, isPred: boolean): void {
    if (isTrue) {
      if (isPred) this.tp++;
      else this.fn++;
    } else if (isPred) this.fp++;
    else this.tn++;
  }
}

/**
 * Foreground Dice of each image: masks are n images of `pixelsPerImage` pixels, row-major. An image whose
 * truth and prediction are both empty scores `emptyScore` (default 1: nothing to find, nothing found; pass
 * 0 for the pooled metrics' convention or NaN to leave such images out of a mean).
 */
export function perImageDice(truth: ArrayLike<number>, predicted: ArrayLike<number>, pixelsPerImage: number, emptyScore = 1): Float64Array {
  if (truth.length !== predicted.length || pixelsPerImage <= 0 || truth.length % pixelsPerImage !== 0) {
    throw new Error(`perImageDice: ${truth.length} truth and ${predicted.length} predicted pixels for images of ${pixelsPerImage}`);
  }
  const n = truth.length / pixelsPerImage;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let tp = 0;
    let t = 0;
    let p = 0;
    for (let j = i * pixelsPerImage; j < (i + 1) * pixelsPerImage; j++) {
      const a = truth[j] !== 0;
      const b = predicted[j] !== 0;
      if (a) t++;
      if (b) p++;
      if (a && b) tp++;
    }
    out[i] = t + p === 0 ? emptyScore : (2 * tp) / (t + p);
  }
  return out;
}
