// The kappa of the t-vMF loss over a run: adaptive (0, then 32 * validation DSC per class), fixed (32),
// and none for BCE + Dice.
import { describe, expect, it } from 'vitest';
import { adaptiveKappa, ADAPTIVE_KAPPA_LAMBDA, FIXED_KAPPA, KappaSchedule } from '../../src/train/adaptive-kappa.ts';

describe('KappaSchedule', () => {
  it("'atvmf' starts at 0 per class and becomes lambda * DSC after each epoch", () => {
    const k = new KappaSchedule('atvmf');
    expect(ADAPTIVE_KAPPA_LAMBDA).toBe(32);
    expect(k.needsValidation).toBe(true);
    expect(k.kappa).toEqual([0, 0]);
    k.epochEnd([0.95, 0.5]);
    expect(k.kappa).toEqual([30.4, 16]);
    k.epochEnd([0.99, 0.75]);
    expect(k.kappa).toEqual([31.68, 24]); // replaced, not accumulated
    const copy = k.kappa;
    copy[0] = 1;
    expect(k.kappa[0]).toBe(31.68); // the getter hands out a copy
    expect(() => k.epochEnd(null)).toThrow(/needs the validation DSC/);
    expect(() => k.epochEnd([0.5])).toThrow(/1 DSCs for 2 classes/);
  });

  it("'tvmf' keeps kappa 32, 'bcedice' keeps 0, whatever the validation says", () => {
    const fixed = new KappaSchedule('tvmf');
    expect(FIXED_KAPPA).toBe(32);
    fixed.epochEnd([0.1, 0.2]);
    fixed.epochEnd(null);
    expect(fixed.kappa).toEqual([32, 32]);
    expect(new KappaSchedule('tvmf', { fixedKappa: 8 }).kappa).toEqual([8, 8]);
    const none = new KappaSchedule('bcedice');
    none.epochEnd([0.9, 0.9]);
    expect(none.kappa).toEqual([0, 0]);
    expect(none.needsValidation).toBe(false);
  });

  it('adaptiveKappa clamps DSC to [0, 1] and treats NaN as 0; set() restores a saved kappa', () => {
    expect(adaptiveKappa([1.2, NaN, -0.1, 0.25], 10)).toEqual([10, 0, 0, 2.5]);
    const k = new KappaSchedule('atvmf', { lambda: 16, numClasses: 3 });
    k.epochEnd([0.5, 1, 0]);
    expect(k.kappa).toEqual([8, 16, 0]);
    k.set([1, 2, 3]);
    expect(k.kappa).toEqual([1, 2, 3]);
    expect(() => k.set([1, -2, 3])).toThrow(/bad kappa/);
  });
});
