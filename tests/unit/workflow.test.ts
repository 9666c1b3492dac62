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

describe('interrupted work', () => {
  const r = (over: Partial<GeneratorRunMeta>) => ({ datasetId: 'd1', classIndex: 0, className: 'benign', checkpointStep: 30, step: 40, status: 'done', ...over }) as GeneratorRunMeta;

  it('offers to resume a generator run a closed tab left running, before anything else', () => {
    const w = workflow({ ...base, runs: [r({ status: 'running' }), r({ classIndex: 1, className: 'malignant', status: 'queued', checkpointStep: null })] });
    expect(w.next).toMatchObject({ view: 'generators', action: 'Resume it', resume: { kind: 'generators' } });
    expect(w.next?.text).toContain('it resumes from its last checkpoint, step 30');
  });

  it('does not nag about work stopped on purpose', () => {
    const w = workflow({ ...base, runs: [r({ status: 'paused' }), r({ classIndex: 1, status: 'queued', checkpointStep: null })] });
    expect(w.next?.resume).toBeUndefined();
    const stopped = [{ datasetId: 'd1', status: 'stopped', message: 'Stopped after 1 of 2 runs; their results are kept.', results: [{}] } as ClassifyExperiment];
    expect(workflow({ ...base, classify: stopped }).next?.resume).toBeUndefined();
  });

  it('resumes an interrupted experiment by its id, and segmentation with the rounds it had left', () => {
    const cls = [{ id: 'ce1', datasetId: 'd1', status: 'stopped', message: 'Interrupted (the tab closed or the engine stopped) after 1 finished run; those results are kept.', results: [{}] } as ClassifyExperiment];
    expect(workflow({ ...base, classify: cls }).next?.resume).toEqual({ kind: 'classify', experimentId: 'ce1' });
    const seg = [{ id: 'se1', datasetId: 'd1', status: 'interrupted', options: { rounds: 2 }, rounds: [{}] } as unknown as SegmentExperiment];
    expect(workflow({ ...base, segment: seg }).next?.resume).toEqual({ kind: 'segment', experimentId: 'se1', rounds: 2 });
  });
});
