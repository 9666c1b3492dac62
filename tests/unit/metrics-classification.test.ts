// Classification metrics against cases worked out by hand (and AUC against a brute-force pair count).
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.ts';
import {
  accuracy,
  argmaxRows,
  aucFromProbabilities,
  classificationReport,
  confusionMatrix,
  macroF1,
  meanStd,
  perClassMetrics,
  rocAuc,
} from '../../src/metrics/classification.ts';

/** AUC by definition: over all (positive, negative) pairs, 1 if the positive scores higher, 1/2 on a tie. */
function pairAuc(scores: number[], pos: boolean[]): number {
  let sum = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (!pos[i]) return;
    scores.forEach((sn, j) => {
      if (pos[j]) return;
      pairs++;
      sum += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return sum / pairs;
}

describe('confusion matrix, accuracy, precision, recall, F1', () => {
  it('matches a 3-class case worked by hand', () => {
    const yTrue = [0, 0, 1, 1, 2, 2];
    const yPred = [0, 1, 1, 1, 0, 2];
    const cm = confusionMatrix(yTrue, yPred, 3);
    expect(cm).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(accuracy(yTrue, yPred)).toBeCloseTo(4 / 6, 12);
    const m = perClassMetrics(cm);
    expect(m.precision).toEqual([1 / 2, 2 / 3, 1]);
    expect(m.recall).toEqual([1 / 2, 1, 1 / 2]);
    expect(m.f1[0]).toBeCloseTo(0.5, 12);
    expect(m.f1[1]).toBeCloseTo(0.8, 12);
    expect(m.f1[2]).toBeCloseTo(2 / 3, 12);
    expect(m.support).toEqual([2, 2, 2]);
    expect(macroF1(cm)).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
  });

  it('scores a class that is never predicted as precision 0, recall 0, F1 0 (not NaN)', () => {
    const cm = confusionMatrix([0, 0, 1, 1], [0, 0, 0, 0], 2);
    expect(cm).toEqual([
      [2, 0],
      [2, 0],
    ]);
    const m = perClassMetrics(cm);
    expect(m.precision).toEqual([0.5, 0]); // class 1 never predicted: 0/0 -> 0
    expect(m.recall).toEqual([1, 0]);
    expect(m.f1[0]).toBeCloseTo(2 / 3, 12);
    expect(m.f1[1]).toBe(0);
    expect(macroF1(cm)).toBeCloseTo(1 / 3, 12); // the collapsed classifier is punished
  });

  it('averages macro-F1 over the classes present in a single-class batch', () => {
    // Only class 1 occurs and is always predicted: perfect, although classes 0 and 2 have undefined scores.
    const right = confusionMatrix([1, 1, 1], [1, 1, 1], 3);
    expect(macroF1(right)).toBe(1);
    expect(accuracy([1, 1, 1], [1, 1, 1])).toBe(1);
    const m = perClassMetrics(right);
    expect(m.precision).toEqual([0, 1, 0]);
    expect(m.recall).toEqual([0, 1, 0]);
    // Only class 0 occurs, always predicted as 1: classes 0 and 1 are both present (one true, one predicted).
    const wrong = confusionMatrix([0, 0], [1, 1], 2);
    expect(perClassMetrics(wrong).f1).toEqual([0, 0]);
    expect(macroF1(wrong)).toBe(0);
    // AUC is undefined with one class.
    expect(rocAuc([0.2, 0.9], [1, 1])).toBeNaN();
  });

  it('refuses mismatched lengths and out-of-range classes; an empty set has NaN scores', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 labels but 1 predictions/);
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(/outside \[0, 2\)/);
    expect(accuracy([], [])).toBeNaN();
    expect(macroF1(confusionMatrix([], [], 2))).toBeNaN();
  });
});

describe('ROC AUC', () => {
  it('matches the textbook example (scikit-learn docs: 0.75)', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });

  it('counts ties as one half', () => {
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // Pairs (pos, neg): (0.5, 0.2) 1, (0.5, 0.5) 1/2, (0.9, 0.2) 1, (0.9, 0.5) 1 -> 3.5 / 4.
    expect(rocAuc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBe(0.875);
    expect(rocAuc([1, 0], [1, 0])).toBe(1);
    expect(rocAuc([0, 1], [1, 0])).toBe(0);
  });

  it('equals the pair count on random scores with many ties', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rand() * 40);
      const scores = Array.from({ length: n }, () => Math.floor(rand() * 6) / 5);
      const pos = Array.from({ length: n }, () => rand() < 0.4);
      if (!pos.some((p) => p) || pos.every((p) => p)) continue;
      expect(rocAuc(scores, pos)).toBeCloseTo(pairAuc(scores, pos), 12);
    }
  });

  it('uses class 1 for two classes and macro one-vs-rest for more', () => {
    // Binary: p(class 1) = second column; the same as one-vs-rest of class 0 on the first column.
    const probs2 = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8];
    const y2 = [0, 0, 1, 1];
    expect(aucFromProbabilities(probs2, y2, 2)).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.9, 0.6, 0.65, 0.2], [1, 1, 0, 0])).toBeCloseTo(0.75, 12);
    // Three classes, each one-vs-rest AUC by the pair count, then their mean.
    const probs3 = [0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.4, 0.4, 0.2, 0.3, 0.3, 0.4];
    const y3 = [0, 0, 1, 2, 1, 2];
    const col = (c: number): number[] => y3.map((_, i) => probs3[i * 3 + c] as number);
    const expected = [0, 1, 2].map((c) => pairAuc(col(c), y3.map((y) => y === c)));
    expect(aucFromProbabilities(probs3, y3, 3)).toBeCloseTo((expected[0]! + expected[1]! + expected[2]!) / 3, 12);
    // A class absent from the labels is skipped, not counted as NaN or 0.
    const yNo2 = [0, 0, 1, 1, 1, 0];
    const defined = [0, 1].map((c) => pairAuc(col(c), yNo2.map((y) => y === c)));
    expect(aucFromProbabilities(probs3, yNo2, 3)).toBeCloseTo((defined[0]! + defined[1]!) / 2, 12);
  });
});

describe('report and per-seed summary', () => {
  it('takes predictions as the argmax of the probabilities (first on ties)', () => {
    expect(Array.from(argmaxRows([0.2, 0.8, 0.5, 0.5, 0.9, 0.1], 2))).toEqual([1, 0, 0]);
    const r = classificationReport([1, 0, 0], [0.2, 0.8, 0.5, 0.5, 0.9, 0.1], 2);
    expect(r.n).toBe(3);
    expect(r.accuracy).toBe(1);
    expect(r.macroF1).toBe(1);
    expect(r.confusion).toEqual([
      [2, 0],
      [0, 1],
    ]);
    expect(r.auc).toBe(1);
  });

  it('gives the mean and the sample standard deviation (n - 1)', () => {
    const s = meanStd([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.n).toBe(4);
    expect(meanStd([0.8])).toEqual({ mean: 0.8, std: NaN, n: 1 });
    expect(meanStd([])).toEqual({ mean: NaN, std: NaN, n: 0 });
    expect(meanStd([1, NaN, 3])).toEqual({ mean: 2, std: Math.SQRT2, n: 2 });
  });
});
