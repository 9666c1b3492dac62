// The run card is a file people share: it must be self-contained (no script, no external reference), escape
// every name it shows, and hold the tables it promises.
import { describe, expect, it } from 'vitest';
import type { DatasetMeta } from '../../src/data/store-types.ts';
import type { ClassifyExperiment } from '../../src/pipeline/classify-record.ts';
import { runCardHtml, runCardJson, type RunCardInput } from '../../src/report/run-card.ts';
import { svgLineChart } from '../../src/report/svg-chart.ts';

const dataset = {
  id: 'd1', name: 'Breast <script>alert(1)</script>', kind: 'classification', size: 28, channels: 1, classes: ['malignant', 'normal, benign'], labelled: true, count: 10,
  counts: { train: { malignant: 2, 'normal, benign': 4 }, val: { malignant: 1, 'normal, benign': 1 }, test: { malignant: 1, 'normal, benign': 1 } },
  splitOrigin: { kind: 'source' }, source: 'breastmnist.npz (MedMNIST)', aspect: 'stretch', sha256: 'ab'.repeat(32), chunkCount: 1, bytes: 1, createdAt: '', skipped: [],
  attribution: { dataset: 'MedMNIST', licence: 'CC BY 4.0', cite: 'Yang et al. 2023' }, schema: 1,
} as DatasetMeta;

const result = (arm: 'baseline' | 'ssgnet', seed: number, accuracy: number) => ({
  arm, extra: arm === 'baseline' ? 0 : 0.5, seed, accuracy, macroF1: accuracy - 0.1, auc: 0.8, confusion: [[1, 0], [0, 1]], precision: [1, 1], recall: [1, 1], f1: [1, 1],
  trainReal: [2, 4], trainSynthetic: [0, 0], bestEpoch: 1, stopReason: 'completed' as const, seconds: 3,
  curve: [{ epoch: 0, loss: 0.7, accuracy: 0.5, valLoss: 0.6, valAccuracy: 0.5, valMacroF1: 0.4, learningRate: 1e-3, seconds: 1 }, { epoch: 1, loss: 0.5, accuracy: 0.7, valLoss: 0.5, valAccuracy: 0.6, valMacroF1: 0.55, learningRate: 1e-3, seconds: 1 }],
});

const experiment = {
  schema: 1, id: 'ce-1', datasetId: 'd1', datasetName: dataset.name, classes: dataset.classes,
  options: { datasetId: 'd1', preset: 'small', seeds: [0, 1], baseline: true, extras: [0.5], training: { epochs: 5, batchSize: 8, learningRate: 1e-3, augment: true, classWeights: 'none', patience: 2 }, psi: 1 },
  backend: 'webgpu', parameters: 78000, splitSizes: { train: 6, val: 2, test: 2 }, status: 'done', message: '', generators: [],
  results: [result('baseline', 0, 0.8), result('ssgnet', 0, 0.85), result('baseline', 1, 0.7), result('ssgnet', 1, 0.8)], createdAt: '2026-11-26T10:00:00Z', updatedAt: '', seconds: 12,
} as ClassifyExperiment;

const input = (over: Partial<RunCardInput> = {}): RunCardInput => ({
  generatedAt: '2026-11-26T12:00:00Z', app: 'test', dataset, backend: null, generators: [], grids: {}, classify: [experiment], confusion: { 'ce-1': 'data:image/png;base64,iVBORw0KGgo=' }, segment: [], ...over,
});

describe('run card', () => {
  it('is self-contained: no script, no external reference, a CSP that forbids both', () => {
    const html = runCardHtml(input());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
  });

  it('escapes names and refuses image sources that are not our own PNG data', () => {
    const html = runCardHtml(input({ confusion: { 'ce-1': 'javascript:alert(1)' } }));
    expect(html).toContain('Breast &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<img');
  });

  it('holds the dataset, the classification table with its spread and the paired difference', () => {
    const html = runCardHtml(input());
    expect(html).toContain('ab'.repeat(32));
    expect(html).toContain('MedMNIST — CC BY 4.0');
    expect(html).toMatch(/<th>baseline<\/th><td>2<\/td><td>75\.0 ± 7\.1<\/td>/);
    expect(html).toMatch(/<th>ssgnet<\/th><td>2<\/td><td>82\.5 ± 3\.5<\/td>/);
    expect(html).toContain('paired by seed (2)');
    expect(html).toContain('<img src="data:image/png;base64,iVBORw0KGgo="');
    const json = JSON.parse(runCardJson(input()));
    expect(json.dataset.sha256).toBe('ab'.repeat(32));
    expect(json.classification[0].results).toHaveLength(4);
  });

  it('draws an SVG line chart, and says so when there is nothing to draw', () => {
    const svg = svgLineChart('loss', 'epoch', [1, 2, 3], [{ label: 'a', color: '#000', values: [3, 2, null] }]);
    expect(svg).toContain('<polyline');
    expect((svg.match(/points="([^"]*)"/)?.[1] ?? '').split(' ')).toHaveLength(2);
    expect(svgLineChart('loss', 'epoch', [], [])).toContain('no data');
  });
});
