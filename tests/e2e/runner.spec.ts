/** The headless runner's contract: flags, exit status, printed table and report.json key names. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '../..');
const recipe = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/recipe.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });

test('--task import --data phantom prints the split table and writes report.json', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ssgnet-runner-'));
  const r = recipe('--task', 'import', '--data', 'phantom', '--count', '60', '--size', '32', '--seed', '3', '--out', out, '--no-build');
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/split\s+benign\s+malignant\s+total/);
  expect(r.stderr).toMatch(/backend: webgpu/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  expect(report.task).toBe('import');
  expect(Object.keys(report.dataset)).toEqual(expect.arrayContaining(['name', 'kind', 'size', 'classes', 'counts', 'sha256']));
  expect(report.dataset).toMatchObject({ kind: 'segmentation', size: 32, classes: ['benign', 'malignant'], count: 60 });
  const total = Object.values(report.dataset.counts as Record<string, Record<string, number>>).flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
  expect(total).toBe(60);
  expect(report.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(report.backend.name).toBe('webgpu');
  expect(report.backend.adapter.architecture).toBeTruthy();
  // Same seed, same data: the hash is reproducible across runs.
  const again = recipe('--task', 'import', '--data', 'phantom', '--count', '60', '--size', '32', '--seed', '3', '--out', out, '--no-build');
  expect(again.status, again.stderr).toBe(0);
  expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).dataset.sha256).toBe(report.dataset.sha256);
});

test('a failure exits non-zero with one clear message', async () => {
  const missing = recipe('--task', 'import', '--data', '/no/such/data.npz', '--no-build');
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/error: --data \/no\/such\/data\.npz: no such file or folder/);
  const usage = recipe('--task', 'import');
  expect(usage.status).toBe(2);
  expect(usage.stderr).toMatch(/--data is required/);
});

test('--estimate-only times each stage with the app\'s speed probe, prints the estimates and trains nothing', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ssgnet-runner-'));
  const r = recipe('--task', 'classify', '--data', 'phantom', '--count', '60', '--size', '32', '--preset', 'tiny', '--kimg', '0.5', '--batch', '4', '--classifier', 'tiny', '--seeds', '2', '--epochs', '3', '--estimate-only', '--out', out, '--no-build');
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/estimate: generators about \d+ (s|min): 2 generators × 0\.5 kimg, training steps only[^\n]* s per training image \([^)]+\) on webgpu/);
  expect(r.stderr).toMatch(/estimate: classification at most \d+ (s|min): 4 training runs of at most 3 epochs/);
  expect(r.stderr).toMatch(/estimate: in all at most \d+/);
  expect(r.stdout).toMatch(/estimate only: nothing trained/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  expect(report.estimates.map((e: { stage: string }) => e.stage)).toEqual(['generators', 'classification']);
  for (const e of report.estimates) {
    expect(Object.keys(e)).toEqual(['stage', 'seconds', 'upper_bound', 'counted', 'ms_per_image', 'source', 'basis', 'actual_seconds']);
    expect(e.ms_per_image).toBeGreaterThan(0);
    expect(e.seconds).toBeGreaterThan(0);
    expect(e.source).toBe('probe');
    expect(e.actual_seconds).toBeNull();
  }
  expect(report.generators).toBeUndefined();
  expect(report.classification).toBeUndefined();
});
