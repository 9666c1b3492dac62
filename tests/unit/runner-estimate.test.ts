import { describe, expect, it } from 'vitest';
import { parseRunnerArgs, withDataDefaults } from '../../src/cli/args.ts';
import { runnerStages } from '../../src/cli/estimate.ts';
import type { DatasetMeta } from '../../src/data/store-types.ts';

/** Only the fields the stage plan reads. */
function meta(over: Partial<DatasetMeta>): DatasetMeta {
  return {
    size: 28,
    channels: 1,
    classes: ['malignant', 'benign'],
    labelled: true,
    counts: { train: { malignant: 147, benign: 399 }, val: { malignant: 21, benign: 57 }, test: { malignant: 42, benign: 114 } },
    ...over,
  } as DatasetMeta;
}

describe('the runner estimate plan', () => {
  it('classify: one generator per class at 32 px, then the classifier over seeds and arms', () => {
    const args = withDataDefaults(parseRunnerArgs(['--task', 'classify', '--data', 'b.npz', '--preset', 'fast', '--kimg', '2', '--batch', '8', '--classifier', 'small', '--seeds', '3', '--epochs', '10', '--cls-batch', '16']), 546);
    const [gen, cls] = runnerStages(meta({}), args, true, null);
    if (!gen || !cls) throw new Error('two stages expected');
    expect([gen.stage, cls.stage]).toEqual(['generators', 'classification']);
    expect(gen.job).toEqual({ kind: 'gan', preset: 'fast', resolution: 32, channels: 1, batchSize: 8 });
    expect(cls.job).toEqual({ kind: 'classify', preset: 'small', size: 28, channels: 1, numClasses: 2, batchSize: 16 });
    // 2 classes x 2000 images at 1 ms each.
    expect(gen.estimate(1).seconds).toBeCloseTo(4, 6);
    // Baseline: 3 seeds x (10 epochs x (546 + 78/3) + 156/3) images. ssgnet 0.5 (target 399): malignant
    // 252 + 200 and benign 0 + 200 synthetic, in every epoch, plus sampling them once (652/3).
    const baseline = 3 * (10 * (546 + 26) + 52);
    const ssgnet = 3 * (10 * (546 + 652 + 26) + 52 + 652 / 3);
    const c = cls.estimate(1);
    expect(c.seconds).toBeCloseTo((baseline + ssgnet) / 1000, 6);
    expect(c.upperBound).toBe(true);
  });
  it('classify without synthetic images has no generator stage', () => {
    const args = withDataDefaults(parseRunnerArgs(['--task', 'classify', '--data', 'b.npz', '--extra', 'none']), 546);
    const stages = runnerStages(meta({}), args, false, null);
    expect(stages.map((s) => s.stage)).toEqual(['classification']);
    // No --epochs: 40 for a training set under 1,000 images, as the app plans it (3 seeds x (40 x (546 + 26) + 52)).
    expect(stages[0]?.estimate(1).seconds).toBeCloseTo((3 * (40 * 572 + 52)) / 1000, 6);
  });
  it('segment: one generator on all training images of an unlabelled set; an external test set replaces the test split', () => {
    const d = meta({ size: 64, channels: 3, classes: ['all'], labelled: false, counts: { train: { all: 100 }, val: { all: 10 }, test: { all: 20 } } });
    const args = withDataDefaults(parseRunnerArgs(['--task', 'segment', '--data', 'isic', '--rounds', '1', '--seg-epochs', '2', '--synthetic', '50', '--kimg', '1']), 100);
    const [gen, seg] = runnerStages(d, args, true, 30);
    if (!gen || !seg) throw new Error('two stages expected');
    expect([gen.stage, seg.stage]).toEqual(['generators', 'segmentation']);
    expect(gen.job).toMatchObject({ kind: 'gan', resolution: 64, channels: 3 });
    expect(gen.estimate(1).seconds).toBeCloseTo(1.008, 6); // 1000 images rounded up to whole batches of 16
    expect(seg.job).toEqual({ kind: 'segment', model: 'unet', preset: 'small', size: 64, channels: 3, batchSize: 8, loss: 'atvmf' });
    // Round 0: 2 x (100 + 10/3) + (30 + 50)/3; round 1: 2 x (150 + 10/3) + (30 + 50)/3.
    expect(seg.estimate(1).seconds).toBeCloseTo((2 * (100 + 10 / 3) + 80 / 3 + 2 * (150 + 10 / 3) + 80 / 3) / 1000, 6);
  });
});
