/**
 * Classification metrics as the paper reports them (accuracy, macro-F1, per-class precision and recall,
 * confusion matrix) plus ROC AUC, and the mean ± sample standard deviation used to summarise runs over seeds.
 * Plain numbers in, plain numbers out: no tensors, so the same code scores a run in the worker, in Node and
 * in a report.
 *
 * Conventions (stated because libraries differ on them):
 * - Labels and predictions are class indices in [0, numClasses). The confusion matrix is indexed
 *   [true][predicted] (rows = truth, as scikit-learn prints it).
 * - Precision of a class that is never predicted, recall of a class that never occurs, and F1 when both are
 *   0 are undefined (0 / 0); they are reported as **0** (scikit-learn's zero_division=0, without its
 *   warning). A class that occurs but is never predicted therefore scores F1 = 0 and pulls macro-F1 down,
 *   which is exactly what a collapsed classifier deserves.
 * - Macro-F1 averages over the classes that occur in the labels or in the predictions (scikit-learn's default
 *   `labels=None`). A class absent from both would otherwise add a meaningless 0: a perfect answer on a
 *   split that lacks a class would not score 1. On a test split that holds every class (the experiment's
 *   case) this is the plain mean over all classes.
 * - ROC AUC is undefined (NaN) when the positives or the negatives are missing; the multi-class macro
 *   one-vs-rest AUC averages the classes where it is defined and is NaN when none is.
 */

/** Counts [true][predicted] over numClasses classes. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  checkPair(yTrue, yPred, numClasses);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = m[yTrue[i] as number] as number[];
    row[yPred[i] as number] = (row[yPred[i] as number] as number) + 1;
  }
  return m;
}

/** Share of correct predictions; NaN for an empty set. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new Error(`accuracy: ${yTrue.length} labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

export interface PerClassMetrics {
  /** TP / (TP + FP); 0 when the class is never predicted. */
  precision: number[];
  /** TP / (TP + FN); 0 when the class never occurs. */
  recall: number[];
  /** 2PR / (P + R); 0 when P + R = 0. */
  f1: number[];
  /** Number of true instances per class. */
  support: number[];
  /** Number of times each class was predicted. */
  predicted: number[];
}

/** Per-class precision, recall, F1 and support from a confusion matrix (see the conventions above). */
export function perClassMetrics(cm: number[][]): PerClassMetrics {
  const k = cm.length;
  const out: PerClassMetrics = { precision: [], recall: [], f1: [], support: [], predicted: [] };
  for (let c = 0; c < k; c++) {
    const tp = cm[c]?.[c] ?? 0;
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += cm[c]?.[j] ?? 0;
      predicted += cm[j]?.[c] ?? 0;
    }
    const p = predicted > 0 ? tp / predicted : 0;
    const r = support > 0 ? tp / support : 0;
    out.precision.push(p);
    out.recall.push(r);
    out.f1.push(p + r > 0 ? (2 * p * r) / (p + r) : 0);
    out.support.push(support);
    out.predicted.push(predicted);
  }
  return out;
}

/** Macro-F1 over the classes present in the labels or the predictions; NaN for an empty set. */
export function macroF1(cm: number[][]): number {
  const m = perClassMetrics(cm);
  let sum = 0;
  let n = 0;
  for (let c = 0; c < cm.length; c++) {
    if ((m.support[c] ?? 0) + (m.predicted[c] ?? 0) === 0) continue;
    sum += m.f1[c] ?? 0;
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * Binary ROC AUC: the probability that a random positive scores above a random negative, ties counting one
 * half (Mann-Whitney U from mid-ranks, which equals the trapezoidal area under the ROC curve with tied scores
 * forming one diagonal step). NaN when positives or negatives are missing.
 */
export function rocAuc(scores: ArrayLike<number>, isPositive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  if (isPositive.length !== n) throw new Error(`rocAuc: ${n} scores but ${isPositive.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let nPos = 0;
  let rankSumPos = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end] as number] === scores[order[start] as number]) end++;
    const midRank = (start + 1 + end) / 2; // ranks are 1-based; a tie group shares the mean of its ranks
    for (let i = start; i < end; i++) {
      if (isPositive[order[i] as number]) {
        nPos++;
        rankSumPos += midRank;
      }
    }
    start = end;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * AUC from class probabilities (row-major [N, numClasses], e.g. softmax outputs). Two classes: the binary
 * ROC AUC of class 1's score (the same number as either one-vs-rest AUC). More classes: the unweighted mean
 * of the one-vs-rest AUCs of the classes where it is defined (scikit-learn's multi_class='ovr',
 * average='macro', except that it refuses a split lacking a class where this skips that class).
 */
export function aucFromProbabilities(probs: ArrayLike<number>, yTrue: ArrayLike<number>, numClasses: number): number {
  const n = yTrue.length;
  if (probs.length !== n * numClasses) throw new Error(`aucFromProbabilities: ${probs.length} scores for ${n} x ${numClasses}`);
  const column = (c: number): Float64Array => Float64Array.from({ length: n }, (_, i) => probs[i * numClasses + c] as number);
  const isClass = (c: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (yTrue[i] === c ? 1 : 0));
  if (numClasses === 2) return rocAuc(column(1), isClass(1));
  let sum = 0;
  let defined = 0;
  for (let c = 0; c < numClasses; c++) {
    const auc = rocAuc(column(c), isClass(c));
    if (Number.isNaN(auc)) continue;
    sum += auc;
    defined++;
  }
  return defined > 0 ? sum / defined : NaN;
}

/** Index of the largest value in each row of a row-major [N, numClasses] array (first one on ties). */
export function argmaxRows(scores: ArrayLike<number>, numClasses: number): Uint8Array | Int32Array {
  const n = Math.floor(scores.length / numClasses);
  const out = numClasses <= 256 ? new Uint8Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if ((scores[i * numClasses + c] as number) > (scores[i * numClasses + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

/** Everything the report shows for one evaluated split. */
export interface ClassificationReport {
  n: number;
  accuracy: number;
  macroF1: number;
  /** Macro one-vs-rest ROC AUC (binary AUC for 2 classes); NaN where undefined. */
  auc: number;
  perClass: PerClassMetrics;
  /** [true][predicted]. */
  confusion: number[][];
}

/** All metrics from labels and class probabilities ([N, numClasses] row-major); predictions are the argmax. */
export function classificationReport(yTrue: ArrayLike<number>, probs: ArrayLike<number>, numClasses: number): ClassificationReport {
  const yPred = argmaxRows(probs, numClasses);
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  return {
    n: yTrue.length,
    accuracy: accuracy(yTrue, yPred),
    macroF1: macroF1(confusion),
    auc: aucFromProbabilities(probs, yTrue, numClasses),
    perClass: perClassMetrics(confusion),
    confusion,
  };
}

export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator, as numpy's ddof=1); NaN when n < 2. */
  std: number;
  n: number;
}

/**
 * Mean and sample standard deviation over runs (e.g. one value per seed). The sample (not population) std
 * because the seeds are a sample of possible runs; with one run the spread is unknown, hence NaN, not 0.
 * NaN entries (a metric undefined for some run) are skipped and not counted in n.
 */
export function meanStd(values: ArrayLike<number>): MeanStd {
  const xs = Array.from(values).filter((v) => !Number.isNaN(v));
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, std: NaN, n };
  const ss = xs.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): void {
  if (yTrue.length !== yPred.length) throw new Error(`${yTrue.length} labels but ${yPred.length} predictions`);
  for (let i = 0; i < yTrue.length; i++) {
    for (const v of [yTrue[i] as number, yPred[i] as number]) {
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw new Error(`class index ${v} outside [0, ${numClasses})`);
    }
  }
}
