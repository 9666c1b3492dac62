// The pure parts of the pseudo-labelling rounds: the synthetic count split, generator choice for sets with
// and without class labels, which pseudo-labels train the next round (threshold, overrides, corrected
// masks, weights), the review carried to a new round, branch and interruption records, and report rows.
import { describe, expect, it } from 'vitest';
import type { DatasetMeta } from '../../src/data/store-types.ts';
import type { GeneratorRunMeta } from '../../src/pipeline/generator-runs.ts';
import { baselineVsFinalRows, progressionLine, segmentCsv, segmentReportRows, type SegmentExperiment, type SegRound } from '../../src/pipeline/seg-rounds-record.ts';
import { branchKeyCopies, branchRecord, experimentKeys, interruptedRecord, withChanges } from '../../src/pipeline/seg-runs.ts';
import { carryReview, decidePseudoLabels, pseudoTrainingSet, type SegRoundArrays } from '../../src/pipeline/seg-selection.ts';
import { pickSegGenerators, splitProportionally, type SegSyntheticSet } from '../../src/pipeline/seg-synthetic.ts';

describe('synthetic count split', () => {
  it('follows the real training counts, largest remainders, summing to the total', () => {
    expect(splitProportionally(10, [30, 10])).toEqual([8, 2]); // 7.5 / 2.5 -> the tie goes to the first class
    expect(splitProportionally(7, [1, 1, 1])).toEqual([3, 2, 2]);
    expect(splitProportionally(100, [120, 60])).toEqual([67, 33]);
    expect(splitProportionally(0, [5, 5])).toEqual([0, 0]);
    expect(splitProportionally(5, [0, 0])).toEqual([3, 2]);
    for (const t of [1, 13, 99]) expect(splitProportionally(t, [3, 7, 11]).reduce((s, n) => s + n, 0)).toBe(t);
  });
});

const meta = (labelled: boolean): DatasetMeta => ({ id: 'd1', name: 'set', labelled, classes: labelled ? ['benign', 'malignant'] : ['all'] }) as unknown as DatasetMeta;
const run = (id: string, classIndex: number | null, imagesSeen: number, checkpointStep: number | null = 10, datasetId = 'd1'): GeneratorRunMeta =>
  ({ id, datasetId, classIndex, className: classIndex === null ? 'all images' : `c${classIndex}`, imagesSeen, checkpointStep }) as unknown as GeneratorRunMeta;

describe('generators for a segmentation set', () => {
  it('an unlabelled set uses its "all images" generator (classIndex null), the most trained, or the chosen one', () => {
    const runs = [run('a', null, 100), run('b', null, 900), run('c', null, 5000, null), run('x', null, 9999, 1, 'other'), run('k', 0, 99999)];
    expect([...pickSegGenerators(meta(false), runs).entries()].map(([k, r]) => [k, r.id])).toEqual([[null, 'b']]);
    expect(pickSegGenerators(meta(false), runs, { all: 'a' }).get(null)!.id).toBe('a');
    expect(() => pickSegGenerators(meta(false), [run('k', 0, 5)])).toThrow(/No trained generator for "set" \(all images\)/);
  });
  it('a labelled set uses one per class', () => {
    const runs = [run('b0', 0, 10), run('b1', 0, 20), run('m', 1, 10), run('all', null, 99999)];
    const picked = pickSegGenerators(meta(true), runs, { '0': 'b0' });
    expect([...picked.entries()].map(([k, r]) => [k, r.id])).toEqual([[0, 'b0'], [1, 'm']]);
    expect(() => pickSegGenerators(meta(true), [run('b', 0, 1)])).toThrow(/"malignant"/);
  });
});

// Four synthetic 2x2 grey images; the round predicted mask k for image k (all pixels = k % 2).
const syn: SegSyntheticSet = { images: Uint8Array.from({ length: 16 }, (_, i) => i), classIndex: new Int16Array(4).fill(-1), ids: ['s0', 's1', 's2', 's3'] };
const arrays: SegRoundArrays = {
  masks: Uint8Array.from({ length: 16 }, (_, i) => Math.floor(i / 4) % 2),
  confidence: Float32Array.from([0.9, 0.2, 0.6, 0.4]),
  entropy: Float32Array.from([0.1, 0.9, 0.5, 0.6]),
  agreement: Float32Array.from([NaN, NaN, NaN, NaN]),
};

describe('pseudo-labels for the next round', () => {
  it('threshold alone', () => {
    const p = pseudoTrainingSet(syn, 2, 1, arrays, { overrides: {}, corrected: [] }, {}, 0.5, 'uniform');
    expect(p.used).toEqual([0, 2]);
    expect(Array.from(p.split.images)).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(Array.from(p.split.masks)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(p.split.weights).toBeNull();
    expect(p.meanWeight).toBe(1);
    // Threshold 0 is the paper's setting: every pseudo-mask.
    expect(pseudoTrainingSet(syn, 2, 1, arrays, { overrides: {}, corrected: [] }, {}, 0, 'uniform').used).toEqual([0, 1, 2, 3]);
  });
  it('overrides win over the threshold, a corrected mask replaces the prediction and brings its image in with weight 1', () => {
    const fix = Uint8Array.from([1, 0, 0, 1]);
    const review = { overrides: { s0: 'reject' as const, s1: 'accept' as const }, corrected: ['s3'] };
    const p = pseudoTrainingSet(syn, 2, 1, arrays, review, { s3: fix }, 0.5, 'confidence');
    expect(p.used).toEqual([1, 2, 3]);
    expect(p.overridden).toBe(1);
    expect(p.corrected).toBe(1);
    // s1 keeps its predicted mask (1s), s2 its own (0s), s3 the user's.
    expect(Array.from(p.split.masks)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1]);
    // Confidence weighting: s1 at its confidence 0.2, s2 0.6, the corrected s3 at 1.
    expect(Array.from(p.split.weights!)).toEqual([Math.fround(0.2), Math.fround(0.6), 1]);
    // A rejection beats a correction.
    expect(decidePseudoLabels(syn.ids, arrays, 0.5, { overrides: { s3: 'reject' }, corrected: ['s3'] }).map((d) => d.accepted)).toEqual([true, false, true, false]);
  });
  it('a new round keeps the rejections and corrections of the previous review, not its accepts', () => {
    const fix = Uint8Array.from([1, 1, 0, 0]);
    const c = carryReview({ overrides: { s0: 'reject', s1: 'accept' }, corrected: ['s2', 'gone'] }, { s2: fix });
    expect(c.review).toEqual({ overrides: { s0: 'reject' }, corrected: ['s2'] });
    expect(c.corrected.s2).toBe(fix);
    expect(carryReview(null, {})).toEqual({ review: { overrides: {}, corrected: [] }, corrected: {} });
  });
});

function round(r: number, miou: number, used: number): SegRound {
  return {
    round: r,
    settings: { model: 'unet', preset: 'tiny', loss: 'atvmf', training: { epochs: 2, batchSize: 4, learningRate: 0.01, augment: true }, threshold: 0, weighting: 'uniform' },
    metrics: { tp: 1, fp: 1, tn: 1, fn: 1, pixels: 4, accuracy: 0.9, sensitivity: 0.8, specificity: 0.95, dice: miou + 0.05, miou, miouClassMean: miou + 0.1, diceClassMean: 0.9, dicePerClass: [0.9, 0.8], iouPerClass: [0.9, 0.7] },
    curve: [{ epoch: 0, loss: 1, valDice: 0.5, valMiou: 0.4, kappa: [0, 0], learningRate: 0.01, seconds: 1 }],
    bestEpoch: 0,
    stopReason: 'completed',
    trainReal: 10,
    pseudoUsed: used,
    pseudoTotal: 10,
    pseudoOverridden: 0,
    pseudoCorrected: 0,
    pseudoMeanWeight: used ? 1 : null,
    predicted: { meanConfidence: 0.5, meanEntropy: 0.3, meanAgreement: r ? 0.7 : null, aboveThreshold: 10, foregroundShare: 0.2 },
    review: { overrides: { s1: 'reject' }, corrected: [] },
    parameters: 100,
    seconds: 2,
  };
}

const experiment = (): SegmentExperiment => ({
  schema: 1,
  id: 'p',
  datasetId: 'd1',
  datasetName: 'set',
  options: { datasetId: 'd1', model: 'unet', preset: 'tiny', loss: 'atvmf', training: { epochs: 2, batchSize: 4, learningRate: 0.01, augment: true }, threshold: 0, weighting: 'uniform', rounds: 2, syntheticCount: null, psi: 1, seed: 1 },
  parent: null,
  backend: 'cpu',
  splitSizes: { train: 10, val: 2, test: 3 },
  testSource: 'test split',
  size: 2,
  channels: 1,
  synthetic: [],
  status: 'running',
  message: '',
  rounds: [round(0, 0.6, 0), round(1, 0.65, 10), round(2, 0.62, 9)],
  createdAt: 't0',
  updatedAt: 't0',
  seconds: 6,
});

describe('rollback, branches and interruptions', () => {
  it('a branch copies rounds 0..r with new settings for its next rounds, and leaves the parent alone', () => {
    const parent = experiment();
    parent.status = 'done';
    const child = branchRecord(parent, 1, 'c', 't1', { threshold: 0.4, training: { epochs: 5 } });
    expect(child.id).toBe('c');
    expect(child.parent).toEqual({ experimentId: 'p', round: 1 });
    expect(child.rounds.map((r) => r.round)).toEqual([0, 1]);
    expect(child.rounds[1]).toEqual(parent.rounds[1]);
    expect(child.rounds[1]).not.toBe(parent.rounds[1]); // a copy: editing the branch's review never touches the parent
    expect(child.options.threshold).toBe(0.4);
    expect(child.options.training).toEqual({ epochs: 5, batchSize: 4, learningRate: 0.01, augment: true });
    expect(child.rounds[1]!.settings.threshold).toBe(0); // what round 1 DID train with stays recorded
    expect(child.status).toBe('stopped');
    expect(child.seconds).toBe(4);
    expect(parent.rounds).toHaveLength(3);
    expect(parent.options.threshold).toBe(0);
    expect(() => branchRecord(parent, 3, 'c', 't1')).toThrow(/no round 3/);
    expect(branchKeyCopies('p', 'c', 1)).toEqual([
      ['segexp:p:syn', 'segexp:c:syn'],
      ['segexp:p:r0', 'segexp:c:r0'],
      ['segexp:p:r0:fix', 'segexp:c:r0:fix'],
      ['segexp:p:r1', 'segexp:c:r1'],
      ['segexp:p:r1:fix', 'segexp:c:r1:fix'],
    ]);
    expect(experimentKeys('p', 1)).toEqual(['segexp:p', 'segexp:p:syn', 'segexp:p:r0', 'segexp:p:r0:fix']);
  });
  it('a run left "running" is marked interrupted with its rounds kept; changes merge training settings', () => {
    const e = interruptedRecord(experiment());
    expect(e.status).toBe('interrupted');
    expect(e.rounds).toHaveLength(3);
    expect(e.message).toMatch(/after 3 finished rounds/);
    expect(withChanges(experiment(), { loss: 'bcedice', training: { batchSize: 8 } }).options).toMatchObject({ loss: 'bcedice', training: { epochs: 2, batchSize: 8 } });
  });
});

describe('report rows', () => {
  it('has the contract keys per round and the progression / baseline-vs-final tables', () => {
    const e = experiment();
    const rows = segmentReportRows(e);
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]!).slice(0, 11)).toEqual(['round', 'model', 'loss', 'miou', 'miou_classmean', 'dice', 'acc', 'spe', 'sen', 'pseudo_used', 'pseudo_total']);
    expect(rows[1]).toMatchObject({ round: 1, model: 'unet', loss: 'atvmf', miou: 0.65, miou_classmean: 0.65 + 0.1, dice: 0.65 + 0.05, acc: 0.9, spe: 0.95, sen: 0.8, pseudo_used: 10, pseudo_total: 10 });
    expect(progressionLine(e)).toBe('60.00 -> 65.00 -> 62.00');
    expect(baselineVsFinalRows(e)[0]).toEqual(['mIoU (fg)', '60.00', '62.00', '+2.00']);
    const csv = segmentCsv(e).trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[0]!.startsWith('round,model,loss,preset,miou')).toBe(true);
  });
});
