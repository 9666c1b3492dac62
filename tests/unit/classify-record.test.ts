// The classification experiment's reporting: summaries over seeds, the paired difference, the report.json
// contract keys, the CSV, and the enhanced dataset's .npz (written, then read back by the app's own reader).
import { describe, expect, it } from 'vitest';
import { encodeNpy, encodeNpz } from '../../src/data/npy-write.ts';
import { parseNpy } from '../../src/data/npy.ts';
import { parseNpz, readMedMnist } from '../../src/data/npz.ts';
import type { DatasetMeta } from '../../src/data/store-types.ts';
import { pairedDifference, reportRows, reportSummary, resultsCsv, summariseArms, type ArmResult, type ClassifyExperiment } from '../../src/pipeline/classify-record.ts';
import { validateExperiment } from '../../src/pipeline/classify-experiment.ts';
import { enhancedNpz, type EnhancedDataset } from '../../src/pipeline/enhanced-export.ts';
import { parseExtras } from '../../src/state/classify.svelte.ts';
import type { DatasetArraysMessage } from '../../src/worker/protocol.ts';

function result(arm: 'baseline' | 'ssgnet', seed: number, accuracy: number, macroF1: number, extra = arm === 'baseline' ? 0 : 0.5): ArmResult {
  return {
    arm, extra, seed, accuracy, macroF1, auc: 0.9,
    confusion: [[8, 2], [1, 9]], precision: [0.9, 0.8], recall: [0.8, 0.9], f1: [0.85, 0.85],
    trainReal: [10, 30], trainSynthetic: arm === 'baseline' ? [0, 0] : [35, 15],
    bestEpoch: 3, stopReason: 'early-stopping', curve: [], seconds: 1.5,
  };
}

function experiment(results: ArmResult[], extras = [0.5]): ClassifyExperiment {
  return {
    schema: 1, id: 'ce-1', datasetId: 'd', datasetName: 'set, "quoted"', classes: ['benign', 'malignant'],
    options: { datasetId: 'd', preset: 'small', seeds: [0, 1, 2], baseline: true, extras, training: { epochs: 5, batchSize: 8, learningRate: 1e-3, augment: true, classWeights: 'none', patience: 2 }, psi: 1 },
    backend: 'cpu', parameters: 1000, splitSizes: { train: 40, val: 5, test: 20 }, status: 'done', message: '', generators: [], results,
    createdAt: '', updatedAt: '', seconds: 10,
  };
}

describe('classification experiment reports', () => {
  const e = experiment([result('baseline', 0, 0.8, 0.7), result('ssgnet', 0, 0.85, 0.8), result('baseline', 1, 0.7, 0.6), result('ssgnet', 1, 0.72, 0.65), result('baseline', 2, 0.9, 0.8), result('ssgnet', 2, 0.88, 0.82)]);

  it('summarises each arm as mean and sample std over seeds', () => {
    const [b, s] = summariseArms(e);
    expect(b!.label).toBe('baseline');
    expect(b!.accuracy.mean).toBeCloseTo(0.8, 12);
    expect(b!.accuracy.std).toBeCloseTo(0.1, 12); // values 0.7, 0.8, 0.9: sample std 0.1
    expect(s!.label).toBe('ssgnet');
    expect(s!.macroF1.mean).toBeCloseTo((0.8 + 0.65 + 0.82) / 3, 12);
  });

  it('pairs the arms by seed for the difference and counts wins', () => {
    const d = pairedDifference(e, 'accuracy')!;
    expect(d.n).toBe(3);
    expect(d.mean).toBeCloseTo((0.05 + 0.02 - 0.02) / 3, 12);
    expect(d.wins).toBe(2);
    expect(pairedDifference(experiment([result('baseline', 0, 0.8, 0.7)]), 'accuracy')).toBeNull();
  });

  it('keeps the report.json contract keys', () => {
    const summary = reportSummary(e);
    expect(Object.keys(summary)).toEqual(['baseline', 'ssgnet']);
    expect(Object.keys(summary.baseline!)).toEqual(expect.arrayContaining(['accuracy_mean', 'accuracy_std', 'macro_f1_mean', 'macro_f1_std']));
    const row = reportRows(e)[0]!;
    expect(row).toMatchObject({ arm: 'baseline', seed: 0, accuracy: 0.8, macro_f1: 0.7, auc: 0.9, confusion: [[8, 2], [1, 9]] });
  });

  it('names further extras apart from the headline ssgnet arm', () => {
    const two = experiment([result('baseline', 0, 0.8, 0.7), result('ssgnet', 0, 0.85, 0.8, 0.5), result('ssgnet', 0, 0.83, 0.79, 1)], [0.5, 1]);
    expect(summariseArms(two).map((s) => s.label)).toEqual(['baseline', 'ssgnet', 'ssgnet +100%']);
    expect(Object.keys(reportSummary(two))).toEqual(['baseline', 'ssgnet', 'ssgnet +100%']);
  });

  it('writes one CSV row per run with per-class columns and quoting', () => {
    const lines = resultsCsv(e).trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('arm,extra,seed,accuracy,macro_f1,auc,precision_benign,recall_benign,precision_malignant,recall_malignant,train_real,train_synthetic,best_epoch,epochs_run,stop_reason,seconds');
    expect(lines[2]).toBe('ssgnet,0.5,0,0.85,0.8,0.9,0.9,0.8,0.8,0.9,40,50,4,0,early-stopping,1.5');
  });

  it('parses the synthetic fraction list of the settings panel', () => {
    expect(parseExtras('0.5')).toEqual([0.5]);
    expect(parseExtras('0.5, 1')).toEqual([0.5, 1]);
    expect(parseExtras('50%')).toEqual([0.5]);
    expect(parseExtras('  ')).toEqual([]);
    expect(() => parseExtras('half')).toThrow(/"half" is not a synthetic fraction/);
  });
});

describe('experiment validation', () => {
  const meta = { id: 'd', name: 'tiny', kind: 'classification', labelled: true, classes: ['a', 'b'], size: 4, channels: 1 } as DatasetMeta;
  const arrays = (labels: number[], splits: number[]): DatasetArraysMessage => ({ meta, images: new Uint8Array(labels.length * 16), masks: null, labels: Uint8Array.from(labels), splits: Uint8Array.from(splits), names: null });
  const opts = experiment([]).options;

  it('accepts a labelled set with every class in train and a test split', () => {
    expect(() => validateExperiment(opts, arrays([0, 1, 0, 1], [0, 0, 2, 2]))).not.toThrow();
  });
  it('names an empty class, a missing test split and bad settings', () => {
    expect(() => validateExperiment(opts, arrays([0, 0, 1], [0, 0, 2]))).toThrow(/Class "b" has no training images/);
    expect(() => validateExperiment(opts, arrays([0, 1], [0, 0]))).toThrow(/has no test images/);
    expect(() => validateExperiment({ ...opts, seeds: [1, 1] }, arrays([0, 1, 0], [0, 0, 2]))).toThrow(/seeds repeat/);
    expect(() => validateExperiment({ ...opts, baseline: false, extras: [] }, arrays([0, 1, 0], [0, 0, 2]))).toThrow(/Nothing to run/);
    expect(() => validateExperiment(opts, { ...arrays([0, 1, 0], [0, 0, 2]), meta: { ...meta, kind: 'segmentation', labelled: false } })).toThrow(/needs labelled classes/);
    // A segmentation set with class labels per image classifies like any other.
    expect(() => validateExperiment(opts, { ...arrays([0, 1, 0], [0, 0, 2]), meta: { ...meta, kind: 'segmentation' } })).not.toThrow();
  });
});

describe('npy / npz writing', () => {
  it('round-trips through the reader with 64-byte aligned data', () => {
    const a = encodeNpy({ dtype: 'u1', data: Uint8Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3] });
    const header = a[8]! | (a[9]! << 8);
    expect((10 + header) % 64).toBe(0);
    expect(parseNpy(a)).toMatchObject({ dtype: 'u1', shape: [2, 3] });
    expect(Array.from(parseNpy(a).data as Uint8Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const f = parseNpy(encodeNpy({ dtype: 'f4', data: Float32Array.from([0.5, -2]), shape: [2] }));
    expect(f.shape).toEqual([2]);
    expect(Array.from(f.data as Float32Array)).toEqual([0.5, -2]);
    expect(() => encodeNpy({ dtype: 'u1', data: new Uint8Array(5), shape: [2, 3] })).toThrow(/holds 6 values/);
  });

  it('writes the enhanced set as a MedMNIST .npz the importer reads back, with is_synthetic flags', () => {
    const split = (n: number, synth: number[]) => ({ images: Uint8Array.from({ length: n * 16 }, (_, i) => i % 251), labels: Uint8Array.from({ length: n }, (_, i) => i % 2), isSynthetic: Uint8Array.from(synth), origin: [] });
    const d: EnhancedDataset = {
      meta: { ...({ name: 'x', classes: ['a', 'b'], size: 4, channels: 1 } as DatasetMeta) },
      splits: { train: split(5, [0, 0, 0, 1, 1]), val: split(2, [0, 0]), test: split(3, [0, 0, 0]) },
      sources: [],
      syntheticCounts: [1, 1],
    };
    const bytes = enhancedNpz(d);
    const arrays = parseNpz(bytes, 'x.npz');
    expect(Object.keys(arrays).sort()).toEqual(['test_images', 'test_is_synthetic', 'test_labels', 'train_images', 'train_is_synthetic', 'train_labels', 'val_images', 'val_is_synthetic', 'val_labels']);
    expect(arrays.train_images!.shape).toEqual([5, 4, 4]);
    expect(arrays.train_labels!.shape).toEqual([5, 1]);
    expect(Array.from(arrays.train_is_synthetic!.data as Uint8Array)).toEqual([0, 0, 0, 1, 1]);
    const back = readMedMnist(bytes, 'x.npz');
    expect(back.size).toBe(4);
    expect(encodeNpz({ a: { dtype: 'i4', data: Int32Array.from([7]), shape: [1] } }).length).toBeGreaterThan(0);
  });
});
