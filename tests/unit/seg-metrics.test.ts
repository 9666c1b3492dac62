// Pooled segmentation metrics (RECIPE §5) on masks counted by hand, the zero-division conventions, and
// streaming accumulation equal to one-shot counting.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/data/rng.ts';
import { perImageDice, SegmentationCounts, segmentationMetrics } from '../../src/metrics/segmentation.ts';

describe('pooled segmentation metrics', () => {
  it('computes every metric from pooled counts of known masks', () => {
    // Two 2x3 images.          truth        predicted
    //   image 0:               1 1 0        1 0 0
    //                          0 0 0        1 0 0      -> TP 1, FN 1, FP 1, TN 3
    //   image 1:               0 1 1        0 1 1
    //                          0 1 0        0 0 0      -> TP 2, FN 1, FP 0, TN 3
    // Pooled: TP 3, FN 2, FP 1, TN 6 (12 pixels).
    const truth = [1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0];
    const pred = [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0];
    const m = new SegmentationCounts().addMasks(truth, pred).metrics();
    expect([m.tp, m.fn, m.fp, m.tn, m.pixels]).toEqual([3, 2, 1, 6, 12]);
    expect(m.accuracy).toBeCloseTo(9 / 12, 12);
    expect(m.sensitivity).toBeCloseTo(3 / 5, 12);
    expect(m.specificity).toBeCloseTo(6 / 7, 12);
    expect(m.dice).toBeCloseTo(6 / 9, 12); // 2TP / (2TP + FP + FN)
    expect(m.miou).toBeCloseTo(3 / 6, 12); // TP / (TP + FP + FN): VM-UNet's "mIoU"
    const iouBg = 6 / 9; // TN / (TN + FN + FP)
    const diceBg = 12 / 15;
    expect(m.iouPerClass).toEqual([iouBg, 0.5]);
    expect(m.miouClassMean).toBeCloseTo((iouBg + 0.5) / 2, 12);
    expect(m.dicePerClass[0]).toBeCloseTo(diceBg, 12);
    expect(m.diceClassMean).toBeCloseTo((diceBg + 6 / 9) / 2, 12);
    // Pooled is not the mean of per-image Dice (2/4 and 4/5 here).
    expect(Array.from(perImageDice(truth, pred, 6))).toEqual([0.5, 0.8]);
  });

  it('thresholds probabilities at >= 0.5', () => {
    const c = new SegmentationCounts().addProbabilities([1, 1, 0, 0], [0.5, 0.4999, 0.5, 0.2]);
    expect([c.tp, c.fn, c.fp, c.tn]).toEqual([1, 1, 1, 1]);
    const strict = new SegmentationCounts().addProbabilities([1, 0], [0.6, 0.6], 0.7);
    expect([strict.tp, strict.fn, strict.fp, strict.tn]).toEqual([0, 1, 0, 1]);
  });

  it('reports 0 for every ratio with a zero denominator (the authors\' convention)', () => {
    // No foreground in truth or prediction: a perfect empty answer still scores foreground Dice/IoU/Sen 0.
    const empty = segmentationMetrics({ tp: 0, fp: 0, tn: 10, fn: 0 });
    expect([empty.dice, empty.miou, empty.sensitivity]).toEqual([0, 0, 0]);
    expect([empty.accuracy, empty.specificity]).toEqual([1, 1]);
    expect(empty.dicePerClass).toEqual([1, 0]);
    expect(empty.miouClassMean).toBe(0.5);
    // All foreground, all predicted: specificity undefined -> 0, background Dice 0.
    const full = segmentationMetrics({ tp: 4, fp: 0, tn: 0, fn: 0 });
    expect([full.dice, full.specificity, full.dicePerClass[0]]).toEqual([1, 0, 0]);
    // Nothing counted at all.
    const none = new SegmentationCounts().metrics();
    expect([none.accuracy, none.dice, none.miouClassMean, none.pixels]).toEqual([0, 0, 0, 0]);
    // Per-image Dice: both empty scores emptyScore (1 by default).
    expect(Array.from(perImageDice([0, 0, 1, 0], [0, 0, 0, 0], 2))).toEqual([1, 0]);
    expect(Number.isNaN(perImageDice([0, 0], [0, 0], 2, NaN)[0])).toBe(true);
  });

  it('streams: any split into batches, or counts added directly, equals counting at once', () => {
    const rand = mulberry32(3);
    const n = 1000;
    const truth = Uint8Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
    const probs = Float32Array.from({ length: n }, () => rand());
    const once = new SegmentationCounts().addProbabilities(truth, probs).metrics();
    const streamed = new SegmentationCounts();
    for (let start = 0; start < n; ) {
      const end = Math.min(n, start + 1 + Math.floor(rand() * 97));
      streamed.addProbabilities(truth.subarray(start, end), probs.subarray(start, end));
      start = end;
    }
    expect(streamed.metrics()).toEqual(once);
    const viaCounts = new SegmentationCounts().addCounts({ tp: once.tp - 5, fp: once.fp, tn: once.tn, fn: once.fn }).addCounts({ tp: 5, fp: 0, tn: 0, fn: 0 });
    expect(viaCounts.metrics()).toEqual(once);
    expect(() => new SegmentationCounts().addCounts({ tp: -1, fp: 0, tn: 0, fn: 0 })).toThrow(/bad count/);
    expect(() => new SegmentationCounts().addMasks([1], [1, 0])).toThrow(/1 truth pixels but 2/);
  });
});
