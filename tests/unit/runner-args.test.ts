import { describe, expect, it } from 'vitest';
import { parseRunnerArgs, UsageError, withDataDefaults } from '../../src/cli/args.ts';
import { formatSplitTable } from '../../src/cli/print.ts';

describe('runner flags', () => {
  it('parses the documented flags with their defaults', () => {
    expect(parseRunnerArgs(['--task', 'import', '--data', 'phantom'])).toEqual({ task: 'import', data: 'phantom', size: 0, backend: 'auto', seed: 42, count: 300, out: 'out/import', build: true, estimate: true, estimateOnly: false, exportProject: null, preset: 'fast', kimg: 1, batch: 16, seeds: 3, extra: [0.5], classifier: 'small', epochs: null, clsBatch: 32, lr: 0.001, patience: 8, psi: 1, test: null, rounds: 2, loss: 'atvmf', model: 'unet', segPreset: 'small', segEpochs: 30, segBatch: 8, segLr: 0.01, synthetic: null, threshold: 0, weighting: 'uniform' });
    expect(parseRunnerArgs(['--task', 'segment', '--data', 'isic', '--test', 'isic-test.zip', '--rounds', '1', '--loss', 'bcedice', '--model', 'unet', '--seg-preset', 'tiny', '--seg-epochs', '3', '--seg-batch', '4', '--seg-lr', '0.02', '--synthetic', '40', '--threshold', '0.6', '--weighting', 'confidence'])).toMatchObject({ task: 'segment', test: 'isic-test.zip', rounds: 1, loss: 'bcedice', model: 'unet', segPreset: 'tiny', segEpochs: 3, segBatch: 4, segLr: 0.02, synthetic: 40, threshold: 0.6, weighting: 'confidence', out: 'out/segment' });
    // VM-UNet takes its authors' defaults (BCE + Dice, AdamW 1e-3) unless told otherwise.
    expect(parseRunnerArgs(['--task', 'segment', '--data', 'p', '--model', 'vmunet'])).toMatchObject({ model: 'vmunet', loss: 'bcedice', segLr: 0.001 });
    expect(parseRunnerArgs(['--task', 'segment', '--data', 'p', '--model', 'vmunet', '--loss', 'atvmf', '--seg-lr', '0.005'])).toMatchObject({ loss: 'atvmf', segLr: 0.005 });
    expect(parseRunnerArgs(['--task', 'classify', '--data', 'b.npz', '--seeds', '5', '--extra', '0.5,1', '--classifier', 'resnet18', '--epochs', '12', '--cls-batch', '64', '--lr', '0.005', '--patience', '0', '--psi', '0.7'])).toMatchObject({ task: 'classify', seeds: 5, extra: [0.5, 1], classifier: 'resnet18', epochs: 12, clsBatch: 64, lr: 0.005, patience: 0, psi: 0.7, out: 'out/classify' });
    expect(parseRunnerArgs(['--task', 'classify', '--data', 'b.npz', '--extra', 'none'])).toMatchObject({ extra: [] });
    expect(parseRunnerArgs(['--task', 'generate', '--data', 'phantom', '--preset', 'tiny', '--kimg', '0.5', '--batch', '4'])).toMatchObject({ task: 'generate', preset: 'tiny', kimg: 0.5, batch: 4, out: 'out/generate' });
    expect(parseRunnerArgs(['--task', 'import', '--data', 'x.npz', '--size', '64', '--backend', 'cpu', '--seed', '7', '--out', 'o', '--no-build'])).toMatchObject({ size: 64, backend: 'cpu', seed: 7, out: 'o', build: false });
    expect(parseRunnerArgs(['--task', 'classify', '--data', 'p', '--no-estimate'])).toMatchObject({ estimate: false, estimateOnly: false });
    expect(parseRunnerArgs(['--task', 'import', '--data', 'p', '--export-project', 'x/p.ssgnet.zip'])).toMatchObject({ exportProject: 'x/p.ssgnet.zip' });
    // Classification epochs default by training-set size, as the app plans them; a given --epochs stays.
    const noEpochs = parseRunnerArgs(['--task', 'classify', '--data', 'p']);
    expect([546, 3000, 20000].map((n) => withDataDefaults(noEpochs, n).epochs)).toEqual([40, 30, 15]);
    expect(withDataDefaults(parseRunnerArgs(['--task', 'classify', '--data', 'p', '--epochs', '12']), 546).epochs).toBe(12);
    expect(parseRunnerArgs(['--task', 'segment', '--data', 'p', '--estimate-only'])).toMatchObject({ estimate: true, estimateOnly: true });
  });
  it('refuses unknown tasks, flags and bad values with a usage error', () => {
    expect(() => parseRunnerArgs(['--task', 'dance', '--data', 'phantom'])).toThrow(UsageError);
    expect(() => parseRunnerArgs(['--task', 'import'])).toThrow(/--data is required/);
    expect(() => parseRunnerArgs(['--task', 'import', '--data', 'p', '--size', 'big'])).toThrow(/--size must be an integer/);
    expect(() => parseRunnerArgs(['--task', 'import', '--data', 'p', '--backend', 'tpu'])).toThrow(/--backend/);
    expect(() => parseRunnerArgs(['--task', 'import', '--data', 'p', '--frobnicate'])).toThrow(UsageError);
    expect(() => parseRunnerArgs(['--task', 'generate', '--data', 'p', '--preset', 'huge'])).toThrow(/--preset/);
    expect(() => parseRunnerArgs(['--task', 'generate', '--data', 'p', '--kimg', '-1'])).toThrow(/--kimg/);
    expect(() => parseRunnerArgs(['--task', 'classify', '--data', 'p', '--extra', 'half'])).toThrow(/--extra/);
    expect(() => parseRunnerArgs(['--task', 'classify', '--data', 'p', '--classifier', 'vgg'])).toThrow(/--classifier/);
    expect(() => parseRunnerArgs(['--task', 'classify', '--data', 'p', '--seeds', '0'])).toThrow(/--seeds/);
    expect(() => parseRunnerArgs(['--task', 'classify', '--data', 'p', '--lr', '2'])).toThrow(/--lr/);
    expect(() => parseRunnerArgs(['--task', 'segment', '--data', 'p', '--model', 'segformer'])).toThrow(/--model must be one of: unet, vmunet/);
    expect(() => parseRunnerArgs(['--task', 'segment', '--data', 'p', '--loss', 'dice'])).toThrow(/--loss/);
    expect(() => parseRunnerArgs(['--task', 'segment', '--data', 'p', '--rounds', '11'])).toThrow(/--rounds/);
    expect(() => parseRunnerArgs(['--task', 'segment', '--data', 'p', '--threshold', '1.5'])).toThrow(/--threshold/);
    expect(() => parseRunnerArgs(['--task', 'segment', '--data', 'p', '--weighting', 'heavy'])).toThrow(/--weighting/);
    expect(() => parseRunnerArgs(['--task', 'classify', '--data', 'p', '--test', 't'])).toThrow(/--test is for --task segment/);
    expect(() => parseRunnerArgs(['--task', 'classify', '--data', 'p', '--estimate-only', '--no-estimate'])).toThrow(/contradict/);
    expect(() => parseRunnerArgs(['--task', 'import', '--data', 'p', '--estimate-only'])).toThrow(/needs a task that trains/);
  });
  it('prints the split table with totals', () => {
    const t = formatSplitTable({ train: { a: 2, b: 3 }, val: { a: 1, b: 0 }, test: { a: 1, b: 1 } }, ['a', 'b']);
    expect(t.split('\n')).toEqual(['split  a  b  total', '-----  -  -  -----', 'train  2  3      5', 'val    1  0      1', 'test   1  1      2', 'all    4  4      8']);
  });
});
