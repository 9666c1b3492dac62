// Pseudo-label scoring and selection: each score on probability maps worked out by hand, the threshold with
// user overrides, and the loss weights of the confidence-weighted option.
import { describe, expect, it } from 'vitest';
import {
  maskFromProbabilities,
  maskIoU,
  pseudoLabelWeights,
  scorePseudoLabel,
  scorePseudoLabels,
  selectPseudoLabels,
} from '../../src/pipeline/pseudo-labels.ts';

describe('scorePseudoLabel', () => {
  it('computes mean max-probability, normalised entropy, confidence and agreement', () => {
    // p = [1, 0, 0.5, 0.75]: max-probs 1, 1, 0.5, 0.75 -> mean 0.8125; confidence 2 * 0.8125 - 1 = 0.625.
    // Entropy in bits: 0, 0, 1, H(0.75) = -(0.75 log2 0.75 + 0.25 log2 0.25) = 0.811278 -> mean 0.452820.
    const s = scorePseudoLabel('a', [1, 0, 0.5, 0.75]);
    expect(s.meanMaxProb).toBeCloseTo(0.8125, 12);
    expect(s.confidence).toBeCloseTo(0.625, 12);
    expect(s.meanEntropy).toBeCloseTo((1 + 0.811278124459) / 4, 9);
    expect(s.agreement).toBeNull(); // round 0
    // Mask this round (>= 0.5): [1, 0, 1, 1]; previous [1, 1, 0, 1]: intersection 2, union 4.
    expect(scorePseudoLabel('a', [1, 0, 0.5, 0.75], [1, 1, 0, 1]).agreement).toBe(0.5);
  });

  it('spans [0, 1]: certain maps score confidence 1 and entropy 0, coin flips 0 and 1', () => {
    const sure = scorePseudoLabel('s', [0, 1, 1, 0]);
    expect([sure.confidence, sure.meanEntropy, sure.meanMaxProb]).toEqual([1, 0, 1]);
    const unsure = scorePseudoLabel('u', [0.5, 0.5]);
    expect(unsure.confidence).toBe(0);
    expect(unsure.meanEntropy).toBeCloseTo(1, 12);
    expect(() => scorePseudoLabel('bad', [0.2, 1.5])).toThrow(/probability 1.5/);
    expect(() => scorePseudoLabel('empty', [])).toThrow(/no pixels/);
  });

  it('agreement of two empty masks is 1', () => {
    expect(maskIoU([0, 0, 0], [0, 0, 0])).toBe(1);
    expect(maskIoU([1, 0, 0], [0, 0, 1])).toBe(0);
    expect(scorePseudoLabel('e', [0.1, 0.2], [0, 0]).agreement).toBe(1);
    expect(Array.from(maskFromProbabilities([0.49, 0.5, 0.9]))).toEqual([0, 1, 1]);
  });

  it('scores a batch laid out as predictMasks returns it', () => {
    const probs = Float32Array.from([1, 0, 0.5, 0.5, 0.9, 0.9]);
    const scores = scorePseudoLabels(['x', 'y', 'z'], probs, 2, Uint8Array.from([1, 0, 0, 0, 1, 1]));
    expect(scores.map((s) => s.id)).toEqual(['x', 'y', 'z']);
    expect(scores.map((s) => s.confidence.toFixed(6))).toEqual(['1.000000', '0.000000', '0.800000']);
    expect(scores.map((s) => s.agreement)).toEqual([1, 0, 1]); // y: mask [1, 1] vs previous [0, 0]
    expect(scorePseudoLabels(['x', 'y', 'z'], probs, 2).every((s) => s.agreement === null)).toBe(true);
    expect(() => scorePseudoLabels(['x', 'x', 'z'], probs, 2)).toThrow(/unique/);
    expect(() => scorePseudoLabels(['x'], probs, 2)).toThrow(/6 probabilities for 1 images/);
  });
});

describe('selection and weights', () => {
  const scores = [0.9, 0.4, 0.7, 0.1].map((confidence, i) => ({ id: `img${i}`, meanMaxProb: (confidence + 1) / 2, meanEntropy: 0, agreement: null, confidence }));

  it('accepts at confidence >= threshold, and user overrides beat the threshold both ways', () => {
    const plain = selectPseudoLabels(scores, 0.7);
    expect(plain.map((d) => d.accepted)).toEqual([true, false, true, false]);
    expect(plain.every((d) => d.reason === 'threshold')).toBe(true);
    const overridden = selectPseudoLabels(scores, 0.7, { img0: 'reject', img3: 'accept' });
    expect(overridden.map((d) => d.accepted)).toEqual([false, false, true, true]);
    expect(overridden.map((d) => d.reason)).toEqual(['override', 'threshold', 'threshold', 'override']);
    const viaMap = selectPseudoLabels(scores, 0.7, new Map([['img1', 'accept' as const]]));
    expect(viaMap.map((d) => d.accepted)).toEqual([true, true, true, false]);
    expect(() => selectPseudoLabels(scores, 1.5)).toThrow(/threshold/);
  });

  it('weights: rejected 0; accepted their confidence (with a floor) or 1', () => {
    const decisions = selectPseudoLabels(scores, 0.7, { img3: 'accept' });
    expect(Array.from(pseudoLabelWeights(decisions, { mode: 'confidence' }))).toEqual([0.9, 0, 0.7, 0.1].map(Math.fround));
    expect(Array.from(pseudoLabelWeights(decisions, { mode: 'confidence', minWeight: 0.5 }))).toEqual([0.9, 0, 0.7, 0.5].map(Math.fround));
    expect(Array.from(pseudoLabelWeights(decisions, { mode: 'uniform' }))).toEqual([1, 0, 1, 1]);
  });
});
