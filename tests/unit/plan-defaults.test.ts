import { describe, expect, it } from 'vitest';
import { estimateClassify, estimateGan, estimateSegment, formatDuration } from '../../src/pipeline/job-estimate.ts';
import { ganBatchFor, niceFloor, planClassify, planGenerators, planSegment, smallerModel } from '../../src/pipeline/plan-defaults.ts';
import { speedJobKey, type SpeedJob } from '../../src/pipeline/speed-job.ts';

describe('job estimates', () => {
  it('counts every generator image, rounded up to whole batches, less what is done', () => {
    // 2 classes x 1 kimg at batch 16: 1008 images each (63 steps), 2 ms per image.
    expect(estimateGan(2, { classCounts: [50, 80], kimgPerClass: 1, batchSize: 16 }).seconds).toBeCloseTo((2 * 1008 * 2) / 1000, 9);
    expect(estimateGan(2, { classCounts: [50, 80], kimgPerClass: 1, batchSize: 16, doneImages: [1008, 0] }).seconds).toBeCloseTo((1008 * 2) / 1000, 9);
  });

  it('adds the synthetic images of each enlarged arm and evaluation at a third of a training image', () => {
    const size = { trainCounts: [100, 20], valCount: 30, testCount: 60, seeds: 1, baseline: true, extras: [], epochs: 10 };
    const base = estimateClassify(3, size);
    expect(base.upperBound).toBe(true);
    expect(base.seconds).toBeCloseTo((3 * (10 * (120 + 10) + 20)) / 1000, 9);
    // extra 0: balance only, 80 synthetic images of the small class; they are generated (a third each) and trained on.
    const both = estimateClassify(3, { ...size, extras: [0] });
    expect(both.seconds - base.seconds).toBeCloseTo((3 * (10 * (200 + 10) + 20 + 80 / 3)) / 1000, 9);
  });

  it('trains round 0 on real images and later rounds on real + synthetic', () => {
    const e = estimateSegment(1, { train: 90, val: 30, test: 0, synthetic: 60, rounds: 2, epochs: 5 });
    const round0 = 5 * (90 + 10) + 20;
    const later = 5 * (150 + 10) + 20;
    expect(e.seconds).toBeCloseTo((round0 + 2 * later) / 1000, 9);
  });

  it('formats durations the way one plans with them', () => {
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(59)).toBe('59 s');
    expect(formatDuration(125)).toBe('2 min');
    expect(formatDuration(3 * 3600 + 600)).toBe('3 h 10 min');
    expect(formatDuration(5 * 86400)).toBe('5 days');
    expect(formatDuration(Number.NaN)).toBe('unknown');
  });
});

describe('default settings from dataset size and measured speed', () => {
  const speeds = (table: Record<string, number>) => (j: SpeedJob) => {
    const k = speedJobKey(j);
    return k in table ? table[k]! : null;
  };
  const gan = (preset: string, batch = 16) => `gan|${preset}|32px|1ch|b${batch}`;

  it('sizes the batch to the smallest class and rounds lengths to 1-2-5 steps', () => {
    expect(ganBatchFor([500, 70])).toBe(16);
    expect(ganBatchFor([500, 20])).toBe(8);
    expect(ganBatchFor([500, 9])).toBe(4);
    expect([0.07, 0.3, 1.9, 4.99, 5, 12, 380].map(niceFloor)).toEqual([0.05, 0.2, 1, 2, 5, 10, 200]);
  });

  it('asks for a measurement before it has one', () => {
    const p = planGenerators({ classCounts: [100, 100], size: 28, channels: 1, budgetSeconds: 900, speedOf: () => null });
    expect(p).toMatchObject({ kind: 'measure', job: { kind: 'gan', preset: 'tiny', resolution: 32, batchSize: 16 } });
  });

  it('measures the next preset only when the smaller one leaves room for it', () => {
    // tiny at 10 ms per image: 900 s / (2 x 10 ms) = 45 kimg per class, so fast (at >= 3x the cost) may reach 1 kimg.
    const roomy = planGenerators({ classCounts: [100, 100], size: 28, channels: 1, budgetSeconds: 900, speedOf: speeds({ [gan('tiny')]: 10 }) });
    expect(roomy).toMatchObject({ kind: 'measure', job: { preset: 'fast' } });
    // tiny at 400 ms per image: 1.1 kimg per class; fast cannot reach 1 kimg, so tiny is the plan, without measuring fast.
    const tight = planGenerators({ classCounts: [100, 100], size: 28, channels: 1, budgetSeconds: 900, speedOf: speeds({ [gan('tiny')]: 400 }) });
    expect(tight).toMatchObject({ kind: 'plan', preset: 'tiny', kimg: 1, batchSize: 16 });
    if (tight.kind === 'plan') expect(tight.seconds).toBeLessThanOrEqual(900);
  });

  it('takes the largest preset that reaches its useful length within the budget', () => {
    const p = planGenerators({
      classCounts: [100, 100],
      size: 28,
      channels: 1,
      budgetSeconds: 3600,
      speedOf: speeds({ [gan('tiny')]: 5, [gan('fast')]: 60, [gan('balanced')]: 800 }),
    });
    // fast: 3600 / (2 x 60 ms) = 30 kimg, capped at 20; balanced: 2.25 kimg < 4, so fast.
    expect(p).toMatchObject({ kind: 'plan', preset: 'fast', kimg: 20 });
  });

  it('says when even the smallest preset is too slow for the budget', () => {
    const p = planGenerators({ classCounts: [10, 10], size: 64, channels: 3, budgetSeconds: 60, speedOf: (j) => (j.kind === 'gan' && j.preset === 'tiny' ? 2000 : null) });
    expect(p.kind).toBe('plan');
    if (p.kind === 'plan') {
      expect(p).toMatchObject({ preset: 'tiny', resolution: 64, batchSize: 4, kimg: 0.05 });
      expect(p.why).toMatch(/raise the budget/);
    }
  });

  it('gives classification the seeds the budget allows, and epochs by dataset size', () => {
    const size = { trainCounts: [400, 100], valCount: 60, testCount: 120, baseline: true, extras: [0.5] };
    expect(planClassify(1, size, 1e9)).toMatchObject({ seeds: 3, epochs: 40 });
    const one = planClassify(1, size, 1);
    expect(one).toMatchObject({ seeds: 1, epochs: 10, fits: false });
    // 1 ms per image: one seed of both arms at 40 epochs is about 2 x 40 x ~570 images = 46 s; 30 s needs fewer epochs.
    const trimmed = planClassify(1, size, 30);
    expect(trimmed.seeds).toBe(1);
    expect(trimmed.epochs).toBeLessThan(40);
    expect(trimmed.fits).toBe(true);
    expect(trimmed.seconds).toBeLessThanOrEqual(30);
    expect(planClassify(1, { ...size, trainCounts: [4000, 2000] }, 1e9).epochs).toBe(15);
  });

  it('fits segmentation epochs to the budget within 5..30', () => {
    const size = { train: 100, val: 20, test: 0, synthetic: 100, rounds: 2 };
    expect(planSegment(1, size, 1e9).epochs).toBe(30);
    expect(planSegment(1, size, 0)).toMatchObject({ epochs: 5, fits: false });
    const mid = planSegment(10, size, 60);
    expect(mid.epochs).toBeGreaterThanOrEqual(5);
    expect(mid.epochs).toBeLessThan(30);
  });

  it('offers the next smaller model when the chosen one overruns the budget', () => {
    const order = ['tiny', 'small', 'standard'] as const;
    expect(smallerModel(order, 'small', true, () => true)).toBeNull();
    expect(smallerModel(order, 'small', false, () => false)).toEqual({ preset: 'tiny', action: 'measure' });
    expect(smallerModel(order, 'standard', false, (p) => p === 'small')).toEqual({ preset: 'small', action: 'use' });
    expect(smallerModel(order, 'tiny', false, () => true)).toBeNull();
  });
});
