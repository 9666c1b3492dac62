/**
 * The classification experiment through the UI on WebGPU, on the demo phantoms, sized for CI on a software
 * GPU: tiny generators, a tiny ResNet, 2 seeds x (baseline, ssgnet) x 2 epochs. Checks what a user relies on:
 * the table, confusion matrices and verdict appear; the synthetic counts follow the policy; results survive a
 * reload; every export (JSON, CSV, PNGs, the enhanced .npz and zip) holds what it says.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { parseNpz } from '../../src/data/npz.ts';
import type { ClassifyExperiment } from '../../src/pipeline/classify-record.ts';
import { syntheticCounts } from '../../src/pipeline/enlargement.ts';
import { datasets, openApp, recordOffOrigin, setTiny, shot, waitIdle, waitTrained } from './helpers.ts';

type Cls = { experiments: ClassifyExperiment[]; lastOutcome: { ok: boolean; experiment?: ClassifyExperiment; message?: string } | null };
const cls = (page: Page) =>
  page.evaluate(() => {
    const c = (globalThis as unknown as { ssgnet: { classify: Cls } }).ssgnet.classify;
    return JSON.parse(JSON.stringify({ experiments: c.experiments, lastOutcome: c.lastOutcome })) as Cls;
  });

async function download(page: Page, click: () => Promise<void>): Promise<Uint8Array> {
  const pending = page.waitForEvent('download');
  await click();
  return new Uint8Array(readFileSync(await (await pending).path()));
}

test('baseline vs real + synthetic on phantoms: table, confusion, curves, exports, reload', async ({ page }) => {
  test.setTimeout(1_500_000);
  // Privacy: every request of this whole run (demo import, generators, experiment, exports) stays on the origin.
  const offOrigin = recordOffOrigin(page, new URL(test.info().project.use.baseURL!).origin);
  await openApp(page);
  const [demo] = await datasets(page);
  const nav = page.getByRole('navigation');

  // Without generators the synthetic arm cannot run, and the view says why instead of failing later.
  await nav.getByRole('button', { name: 'Classify' }).click();
  await expect(page.getByTestId('cls-missing-generators')).toContainText('No trained generator yet');
  await expect(page.getByTestId('cls-run')).toBeDisabled();
  await shot(page, '30-classify-needs-generators');

  await setTiny(page, '0.008'); // 2 steps of 4 images per class
  await page.getByRole('button', { name: 'Train generators' }).click();
  await waitTrained(page, 600_000);

  await nav.getByRole('button', { name: 'Classify' }).click();
  await expect(page.getByTestId('cls-missing-generators')).toHaveCount(0);
  await page.getByLabel('Classifier').selectOption('tiny');
  await page.getByLabel('Seeds').fill('2');
  await page.getByLabel('Epochs (at most)').fill('2');
  await page.getByLabel('Early stopping patience').fill('0');
  await page.getByLabel('Batch').fill('16');
  await expect(page.getByTestId('cls-run')).toHaveText('Run 4 training runs');
  await page.getByTestId('cls-run').click();
  await expect(page.getByTestId('cls-live')).toBeVisible({ timeout: 120_000 });
  await shot(page, '31-classify-running');
  await waitIdle(page, 900_000);
  const state = await cls(page);
  expect(state.lastOutcome?.ok, JSON.stringify(state.lastOutcome).slice(0, 400)).toBe(true);
  const e = state.lastOutcome!.experiment!;
  expect(e.status).toBe('done');
  expect(e.backend).toBe('webgpu');
  expect(e.results.map((r) => `${r.arm}:${r.seed}`)).toEqual(['baseline:0', 'ssgnet:0', 'baseline:1', 'ssgnet:1']);

  const real = demo!.classes.map((c) => demo!.counts.train[c] ?? 0);
  const testCount = Object.values(demo!.counts.test).reduce((s, n) => s + n, 0);
  for (const r of e.results) {
    expect(r.trainReal).toEqual(real);
    expect(r.trainSynthetic).toEqual(r.arm === 'baseline' ? [0, 0] : syntheticCounts(real, { target: null, extra: 0.5 }));
    expect(r.confusion.flat().reduce((s, n) => s + n, 0)).toBe(testCount); // scored on the whole real test split
    expect(r.curve).toHaveLength(2);
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    expect(r.accuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(r.curve[1]!.loss)).toBe(true);
  }
  // Each seed draws its own synthetic images and initial weights: the two seeds' runs are not copies.
  expect(e.results[0]!.curve[0]!.loss).not.toBe(e.results[2]!.curve[0]!.loss);

  const expCard = page.getByTestId('cls-experiment').first();
  await expect(expCard.getByTestId('cls-table').locator('tbody tr')).toHaveCount(2);
  await expect(expCard.getByTestId('cls-confusion')).toHaveCount(2);
  await expect(expCard.getByTestId('cls-verdict')).toContainText('paired by seed (2 seeds)');
  await shot(page, '32-classify-done');

  // Exports.
  const json = JSON.parse(new TextDecoder().decode(await download(page, () => expCard.getByRole('button', { name: 'Results JSON' }).click())));
  expect(json.classification).toHaveLength(4);
  expect(Object.keys(json.summary)).toEqual(['baseline', 'ssgnet']);
  expect(json.summary.baseline.accuracy_mean).toBeCloseTo((e.results[0]!.accuracy + e.results[2]!.accuracy) / 2, 10);
  const csv = new TextDecoder().decode(await download(page, () => expCard.getByRole('button', { name: 'Results CSV' }).click()));
  expect(csv.trim().split('\n')).toHaveLength(5);
  for (const name of ['Confusion PNG', 'Curves PNG']) {
    const png = await download(page, () => expCard.getByRole('button', { name }).click());
    expect(Array.from(png.slice(1, 4)), name).toEqual([80, 78, 71]);
    expect(png.length, name).toBeGreaterThan(1000);
  }

  const npz = parseNpz(await download(page, () => page.getByTestId('enh-npz').click()), 'enhanced.npz');
  const synth = syntheticCounts(real, { target: null, extra: 0.5 });
  const isSynth = Array.from(npz.train_is_synthetic!.data as Uint8Array);
  expect(isSynth.length).toBe(real[0]! + real[1]! + synth[0]! + synth[1]!);
  expect(isSynth.reduce((s, v) => s + v, 0)).toBe(synth[0]! + synth[1]!);
  expect(npz.train_images!.shape).toEqual([isSynth.length, demo!.size, demo!.size]);
  expect(Array.from(npz.test_is_synthetic!.data as Uint8Array).every((v) => v === 0)).toBe(true);
  expect(npz.test_labels!.shape).toEqual([testCount, 1]);
  const zip = unzipSync(await download(page, () => page.getByTestId('enh-zip').click()));
  const manifest = new TextDecoder().decode(zip['manifest.csv']!).trim().split('\n');
  expect(manifest).toHaveLength(1 + demo!.count + synth[0]! + synth[1]!);
  expect(manifest.filter((l) => l.includes(',1,generator ')).length).toBe(synth[0]! + synth[1]!);
  const pngs = Object.keys(zip).filter((n) => n.endsWith('.png'));
  expect(pngs.filter((n) => n.startsWith('train/') && n.includes('/synthetic_'))).toHaveLength(synth[0]! + synth[1]!);
  expect(pngs.filter((n) => n.startsWith('test/') && n.includes('/synthetic_'))).toHaveLength(0);

  // The run card: one self-contained HTML file with the generators' grids, the table and the confusion matrices.
  await nav.getByRole('button', { name: 'Report' }).click();
  await shot(page, '34-report');
  const card = new TextDecoder().decode(await download(page, () => page.getByTestId('run-card-html').click()));
  expect(card).toContain('Classification: real vs real + synthetic');
  expect(card).toContain('paired by seed (2)');
  expect(card.match(/<img src="data:image\/png;base64,/g)?.length).toBe(3); // 2 sample grids + 1 confusion figure
  expect(card).not.toMatch(/<script|https?:\/\//i);

  // Stored with the run: a reload shows the same experiment.
  await page.reload();
  await openApp(page);
  expect((await cls(page)).experiments.map((x) => [x.id, x.status, x.results.length])).toEqual([[e.id, 'done', 4]]);
  await nav.getByRole('button', { name: 'Classify' }).click();
  await expect(page.getByTestId('cls-experiment')).toHaveCount(1);
  await expect(page.getByTestId('cls-confusion')).toHaveCount(2);
  await shot(page, '33-classify-after-reload');
  expect(offOrigin, 'requests that left the app origin').toEqual([]);
});
