/**
 * Pseudo-label rounds through the UI on WebGPU, on a small phantom set (80 images at 32 px, made with the
 * Data view's phantom generator), sized for CI on a software GPU: tiny generators, a tiny U-Net, 24
 * synthetic images, 2 epochs a round. Covers what issue 6 asks to see: round 0
 * and round 1, a review (drop one image, correct one mask with the brush), round 2 trained with that review,
 * pseudo-masks replaced between rounds, the mask-change view, a rollback that branches, and a reload.
 */
import { expect, test, type Page } from '@playwright/test';
import type { SegmentExperiment, SegRoundData } from '../../src/pipeline/seg-rounds-record.ts';
import { datasets, importPhantoms, openApp, setTiny, shot, waitIdle, waitTrained } from './helpers.ts';

type Seg = { experiments: SegmentExperiment[]; lastOutcome: { ok: boolean; experiment?: SegmentExperiment; message?: string } | null };
const segState = (page: Page) =>
  page.evaluate(() => {
    const s = (globalThis as unknown as { ssgnet: { segment: Seg } }).ssgnet.segment;
    return JSON.parse(JSON.stringify({ experiments: s.experiments, lastOutcome: s.lastOutcome })) as Seg;
  });
const roundMasks = (page: Page, experimentId: string, round: number) =>
  page.evaluate(
    async ({ id, r }) => Array.from(((await (globalThis as unknown as { ssgnet: { engine: { call: (t: string, a: unknown) => Promise<SegRoundData> } } }).ssgnet.engine.call('segment-round-data', { experimentId: id, round: r })) as SegRoundData).masks),
    { id: experimentId, r: round },
  );

test('two pseudo-label rounds with a review, masks replaced, a rollback, a reload', async ({ page }) => {
  test.setTimeout(1_800_000);
  await openApp(page, '?nodemo=1');
  await importPhantoms(page, 32, 80);
  const [demo] = await datasets(page);
  expect(demo).toMatchObject({ kind: 'segmentation', size: 32, count: 80 });
  const nav = page.getByRole('navigation');

  await nav.getByRole('button', { name: 'Segment' }).click();
  await expect(page.getByTestId('seg-missing-generators')).toContainText('No trained generator yet');
  await setTiny(page, '0.008');
  await page.getByRole('button', { name: 'Train generators' }).click();
  await waitTrained(page, 600_000);

  await nav.getByRole('button', { name: 'Segment' }).click();
  // The sizes on offer: every U-Net size whose poolings divide 32 px; VM-UNet-lite has tiny and small only.
  const sizes = page.getByLabel('Size', { exact: true }).locator('option');
  await expect(sizes).toHaveText([/^tiny/, /^compact/, /^small/, /^standard/]);
  await page.getByLabel('Segmenter', { exact: true }).selectOption('vmunet');
  await expect(sizes).toHaveText([/^tiny/, /^small/]);
  await page.getByLabel('Segmenter', { exact: true }).selectOption('unet');
  await expect(page.getByLabel('Loss', { exact: true })).toHaveValue('atvmf');
  await page.getByLabel('Size', { exact: true }).selectOption('tiny');
  await page.getByLabel('Pseudo-label rounds').fill('1');
  await page.getByLabel('Synthetic images', { exact: true }).fill('24');
  await page.getByLabel('Epochs per round').fill('2');
  await page.getByLabel('Batch', { exact: true }).fill('8');
  await page.getByTestId('seg-run').click();
  await expect(page.getByTestId('seg-live')).toBeVisible({ timeout: 300_000 });
  await shot(page, '50-segment-running');
  await waitIdle(page, 900_000);
  let s = await segState(page);
  expect(s.lastOutcome?.ok, JSON.stringify(s.lastOutcome).slice(0, 400)).toBe(true);
  let e = s.lastOutcome!.experiment!;
  expect(e.status).toBe('done');
  expect(e.rounds.map((r) => [r.round, r.pseudoUsed, r.pseudoTotal])).toEqual([
    [0, 0, 24],
    [1, 24, 24], // threshold 0: every pseudo-mask trains round 1
  ]);
  const testPixels = Object.values(demo!.counts.test).reduce((a, n) => a + n, 0) * demo!.size * demo!.size;
  for (const r of e.rounds) {
    const m = r.metrics;
    expect(m.tp + m.fp + m.tn + m.fn).toBe(testPixels); // pooled over every test pixel
    for (const v of [m.miou, m.miouClassMean, m.dice, m.accuracy, m.specificity, m.sensitivity]) expect(v >= 0 && v <= 1).toBe(true);
    expect(r.curve.map((p) => p.kappa.length)).toEqual([2, 2]);
  }
  // Adaptive t-vMF: kappa starts at 0 and is 32 x the validation Dice of the epoch before.
  expect(e.rounds[0]!.curve[0]!.kappa).toEqual([0, 0]);
  await expect(page.getByTestId('seg-progression').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('seg-versus')).toBeVisible();
  await shot(page, '51-segment-round1');

  // Review round 1: drop one image, correct another's mask with the brush.
  await page.getByTestId('seg-progression').locator('tbody tr').nth(1).getByRole('button', { name: 'Review masks' }).click();
  const review = page.getByTestId('seg-review');
  await expect(review.getByTestId('review-tile')).toHaveCount(24);
  await review.getByTestId('review-tile').nth(0).getByRole('button', { name: '✗ drop' }).click();
  await review.getByTestId('review-tile').nth(1).getByRole('button', { name: /Correct the mask/ }).click();
  const canvas = review.getByTestId('mask-canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 8 });
  await page.mouse.up();
  await shot(page, '52-segment-brush');
  await review.getByTestId('mask-save').click();
  await review.getByLabel('Compare with').selectOption('round 0');
  await expect(review.getByText('added since round 0')).toBeVisible();
  await shot(page, '53-segment-review');
  // The click saves the review, then trains: wait for this run's own outcome, not just an idle moment.
  await page.evaluate(() => ((globalThis as unknown as { ssgnet: { segment: Seg } }).ssgnet.segment.lastOutcome = null));
  await review.getByTestId('review-continue').click();
  await page.waitForFunction(() => (globalThis as unknown as { ssgnet: { segment: Seg } }).ssgnet.segment.lastOutcome !== null, null, { timeout: 900_000, polling: 500 });
  await waitIdle(page);
  s = await segState(page);
  e = s.experiments.find((x) => x.id === e.id)!;
  expect(e.rounds).toHaveLength(3);
  const r1 = e.rounds[1]!;
  expect(Object.values(r1.review.overrides).sort()).toEqual(['accept', 'reject']);
  expect(r1.review.corrected).toHaveLength(1);
  expect(e.rounds[2]).toMatchObject({ pseudoUsed: 23, pseudoTotal: 24, pseudoCorrected: 1 });
  // Round 2 predicted its own masks: they replace round 1's (and are scored against them).
  const [m1, m2] = [await roundMasks(page, e.id, 1), await roundMasks(page, e.id, 2)];
  expect(m1.length).toBe(24 * demo!.size * demo!.size);
  expect(m2).not.toEqual(m1);
  expect(e.rounds[2]!.predicted.meanAgreement).not.toBeNull();

  // Roll back to round 1: a branch with rounds 0-1, the original untouched.
  await page.getByTestId('seg-experiment').first().getByTestId('seg-progression').locator('tbody tr').nth(1).getByRole('button', { name: 'Roll back here' }).click();
  await expect(page.getByTestId('seg-experiment')).toHaveCount(2);
  s = await segState(page);
  const branch = s.experiments.find((x) => x.parent?.experimentId === e.id)!;
  expect(branch.parent).toEqual({ experimentId: e.id, round: 1 });
  expect(branch.rounds.map((r) => r.round)).toEqual([0, 1]);
  expect(branch.rounds[1]!.metrics).toEqual(e.rounds[1]!.metrics);
  expect(s.experiments.find((x) => x.id === e.id)!.rounds).toHaveLength(3);
  await shot(page, '54-segment-rollback');

  await page.reload();
  await openApp(page);
  s = await segState(page);
  expect(s.experiments.map((x) => x.rounds.length).sort()).toEqual([2, 3]);
});

test('the Size menu greys out U-Net sizes whose poolings do not divide the images', async ({ page }) => {
  await openApp(page, '?nodemo=1');
  await importPhantoms(page, 24, 20); // 24 px: divisible by 4 and 8, not by 16
  await page.getByRole('navigation').getByRole('button', { name: 'Segment' }).click();
  const size = page.getByLabel('Size', { exact: true });
  for (const [preset, enabled] of [['tiny', true], ['compact', false], ['small', true], ['standard', false]] as const) {
    const option = size.locator(`option[value="${preset}"]`);
    if (enabled) await expect(option, preset).toBeEnabled();
    else await expect(option, preset).toBeDisabled();
  }
  await size.selectOption('tiny');
  await expect(size).toHaveValue('tiny');
});
