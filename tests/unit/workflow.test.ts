import { describe, expect, it } from 'vitest';
import { workflow } from '../../src/state/workflow.ts';
import type { DatasetMeta } from '../../src/data/store-types.ts';
import type { GeneratorRunMeta } from '../../src/pipeline/generator-runs.ts';
import type { ClassifyExperiment } from '../../src/pipeline/classify-record.ts';
import type { SegmentExperiment } from '../../src/pipeline/seg-rounds-record.ts';

const d = { id: 'd1', name: 'demo', kind: 'segmentation', labelled: true, classes: ['benign', 'malignant'] } as DatasetMeta;
const run = (classIndex: number | null, checkpointStep: number | null) => ({ datasetId: 'd1', classIndex, checkpointStep }) as GeneratorRunMeta;
const base = { dataset: d, runs: [] as GeneratorRunMeta[], samplesSeen: false, classify: [] as ClassifyExperiment[], segment: [] as SegmentExperiment[] };

describe('guided workflow', () => {
  it('starts at Data without a dataset, and at Generators with one', () => {
    expect(workflow({ ...base, dataset: null }).next?.view).toBe('data');
    const w = workflow(base);
    expect(w.next?.view).toBe('generators');
    expect(w.steps.map((s) => s.state)).toEqual(['done', 'todo', 'todo', 'todo', 'todo']);
  });

  it('needs a sampling generator for every class before moving on', () => {
    expect(workflow({ ...base, runs: [run(0, 10), run(1, null)] }).next?.action).toBe('Go to Generators');
    const w = workflow({ ...base, runs: [run(0, 10), run(1, 4)] });
    expect(w.steps[1]!.state).toBe('done');
    expect(w.next?.action).toBe('See samples');
  });

  it('goes on to classify, then segment, then the report', () => {
    const runs = [run(0, 10), run(1, 4)];
    expect(workflow({ ...base, runs, samplesSeen: true }).next?.view).toBe('classify');
    const cls = [{ datasetId: 'd1', status: 'done' } as ClassifyExperiment];
    expect(workflow({ ...base, runs, samplesSeen: true, classify: cls }).next?.view).toBe('segment');
    const seg = [{ datasetId: 'd1', rounds: [{}, {}] } as unknown as SegmentExperiment];
    const w = workflow({ ...base, runs, samplesSeen: true, classify: cls, segment: seg });
    expect(w.next?.view).toBe('report');
    expect(w.steps.slice(0, 4).every((s) => s.state === 'done')).toBe(true);
  });

  it('marks steps that do not apply to the dataset', () => {
    const cls = { ...d, kind: 'classification' } as DatasetMeta;
    const unlabelled = { ...d, labelled: false, classes: ['all'] } as DatasetMeta;
    expect(workflow({ ...base, dataset: cls }).steps[3]!.state).toBe('not-applicable');
    const w = workflow({ ...base, dataset: unlabelled, runs: [{ datasetId: 'd1', classIndex: null, checkpointStep: 3 } as GeneratorRunMeta], samplesSeen: true });
    expect(w.steps[2]!.state).toBe('not-applicable');
    expect(w.next?.view).toBe('segment');
  });
});
