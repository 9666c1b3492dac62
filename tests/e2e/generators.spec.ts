/**
 * Class generators through the UI on WebGPU, with the 'tiny' preset so it fits CI on a software GPU:
 * one generator per class, stop and resume from the checkpoint with the curve continuing, a reload in
 * between, and the sample tools (gallery, truncation, interpolation, zip export).
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { gens, openApp, setTiny, shot, waitTrained } from './helpers.ts';

test('tiny generators train per class, stop, survive a reload, resume, and sample', async ({ page }) => {
  test.setTimeout(1_200_000); // a software GPU shared with other work can be slow; the steps themselves are few
  await openApp(page);
  // 16 steps of 4 images per class: with our kernels a tiny step takes a fraction of a second, and 4 steps
  // per class let the run finish between the poll that sees step 2 and the click on Stop.
  await setTiny(page, '0.064');
  await page.getByRole('button', { name: 'Train generators' }).click();

  // Stop the first class's generator once it has taken a few steps: a checkpoint is written on stop.
  await expect.poll(async () => (await gens(page))[0]?.step ?? 0, { timeout: 300_000, intervals: [200] }).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Stop (keeps a checkpoint)' }).click();
  await waitTrained(page, 300_000);
  let runs = await gens(page);
  expect(runs).toHaveLength(2); // one per class, created up front
  const first = runs.find((r) => r.className === 'benign')!;
  expect(first.status).toBe('paused');
  expect(first.checkpointStep).toBe(first.step);
  const stoppedAt = first.step;
  await shot(page, '20-generators-stopped');

  await page.reload();
  await openApp(page);
  runs = await gens(page);
  expect(runs.find((r) => r.id === first.id)).toMatchObject({ status: 'paused', step: stoppedAt });
  await setTiny(page, '0.064');
  await page.getByRole('button', { name: 'Resume training' }).click();
  await waitTrained(page, 480_000);
  runs = await gens(page);
  for (const r of runs) {
    expect(r.status, `${r.className}: ${JSON.stringify(r).slice(0, 300)}`).toBe('done');
    expect(r.step).toBe(16);
    // The curve continues: every step once, in order, across the stop and the reload.
    expect(r.curve.map((p) => p.step)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // FD/KID in the dataset's feature space at the start and the end, with the extractor named.
    expect(r.quality.map((q) => q.step)).toEqual([0, 16]);
    for (const q of r.quality) {
      expect(Number.isFinite(q.kid) && Number.isFinite(q.fd) && q.kidStd >= 0).toBe(true);
      expect(q.nFake).toBe(24);
      expect(q.nearCopyRate).toBeGreaterThanOrEqual(0);
    }
    expect(r.featureExtractor).toMatch(/trained from scratch on \d+ real training images/);
    expect(r.closestPairs.length).toBeGreaterThan(0);
  }
  await expect(page.getByTestId('quality').first().locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('run-card')).toHaveCount(2);
  await expect(page.getByTestId('run-card').first().getByTestId('sample-grid').locator('canvas')).toHaveCount(16);
  await shot(page, '21-generators-done');

  // Sample tools on the first generator.
  await page.getByTestId('run-card').first().getByRole('button', { name: 'Explore samples' }).click();
  const explorer = page.getByTestId('explorer');
  await explorer.getByLabel('Images').fill('6');
  await explorer.getByRole('button', { name: 'Generate 6 images' }).click();
  await expect(explorer.getByTestId('sample-grid').first().locator('canvas')).toHaveCount(6);
  await explorer.getByRole('button', { name: 'Interpolate' }).click();
  await expect(explorer.getByTestId('sample-grid')).toHaveCount(2);
  await expect(explorer.getByTestId('sample-grid').nth(1).locator('canvas')).toHaveCount(9);
  const download = page.waitForEvent('download');
  await explorer.getByRole('button', { name: 'Export as zip of PNGs' }).click();
  const file = await (await download).path();
  const entries = unzipSync(new Uint8Array(readFileSync(file)));
  const pngs = Object.keys(entries).filter((n) => n.endsWith('.png'));
  expect(pngs).toHaveLength(7); // 6 samples + a contact sheet
  for (const n of pngs) expect(Array.from(entries[n]!.slice(1, 4))).toEqual([80, 78, 71]); // "PNG"
  await shot(page, '22-generators-explore');
});
