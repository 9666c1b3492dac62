import { describe, expect, it } from 'vitest';
import { designLowpassFilter, filterResponse, kaiserWindow } from '../../src/models/ops/lowpass-filter.ts';

describe('Kaiser windowed-sinc low-pass design (firwin)', () => {
  it('matches scipy.signal.firwin to float precision', () => {
    // scipy 1.17: firwin(numtaps=12, cutoff=2, width=4.58, fs=32) and firwin(6, 16, width=7.4, fs=64).
    const ref12 = [
      0.02072378563237, 0.04300268738052816, 0.07126488431678928, 0.10069926914190618, 0.1251916216301295,
      0.13911775189827685,
    ];
    const f12 = designLowpassFilter(12, 2, 2 * (4.29 - 2), 32);
    ref12.forEach((v, i) => {
      expect(f12[i]).toBeCloseTo(v, 6);
      expect(f12[11 - i]).toBeCloseTo(v, 6);
    });
    const ref6 = [-0.08823529411764705, 0.14705882352941177, 0.4411764705882352];
    const f6 = designLowpassFilter(6, 16, 7.4, 64);
    ref6.forEach((v, i) => expect(f6[i]).toBeCloseTo(v, 6));
  });

  it('has unit DC gain, symmetry, and a low-pass response', () => {
    const fs = 64;
    const cutoff = 8;
    const halfWidth = 6;
    const taps = designLowpassFilter(24, cutoff, 2 * halfWidth, fs);
    const sum = taps.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 6);
    for (let i = 0; i < taps.length; i++) expect(taps[i]).toBeCloseTo(taps[taps.length - 1 - i] ?? NaN, 7);
    expect(filterResponse(taps, 0, fs)).toBeCloseTo(1, 6);
    expect(filterResponse(taps, cutoff / 4, fs)).toBeGreaterThan(0.95);
    expect(filterResponse(taps, cutoff, fs)).toBeCloseTo(0.5, 1);
    for (const f of [cutoff + halfWidth + 1, 20, 26, 32]) expect(filterResponse(taps, f, fs)).toBeLessThan(0.02);
  });

  it('treats one tap as the identity and rejects bad arguments', () => {
    expect(Array.from(designLowpassFilter(1, 3, 1, 8))).toEqual([1]);
    expect(() => designLowpassFilter(0, 1, 1, 8)).toThrow();
    expect(() => designLowpassFilter(8, 5, 1, 8)).toThrow();
  });

  it('builds a symmetric Kaiser window peaking at 1', () => {
    const w = kaiserWindow(9, 5);
    expect(w[4]).toBeCloseTo(1, 12);
    expect(w[0]).toBeCloseTo(w[8] ?? NaN, 12);
    expect(w[0]).toBeLessThan(0.1);
  });
});
