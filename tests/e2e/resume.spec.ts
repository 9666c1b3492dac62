/**
 * Closing the tab mid-run and opening the app again (issue 7 §2): the guide names the interrupted generator
 * run, and one click resumes it from its last checkpoint with the run's own settings (not the panel's
 * suggestion), its curve continuing from the checkpoint's step.
 */
import { expect, test } from '@playwright/test';
import { gens, importPhantoms, openApp, setTiny, shot, waitIdle, waitTrained } from './helpers.ts';

test('a tab closed mid-training: reopened, the guide resumes the run from its checkpoint', async ({ page, context }) => {
  test.setTimeout(1_200_000);
  await openApp(page, '?nodemo=1');
  await importPhantoms(page, 32, 60);

  // A stop writes a checkpoint; then training again, and the tab closes while it runs.
  await setTiny(page, '0.04');
  await page.getByRole('button', { name: 'Train generators' }).click();
  await expect.poll(async () => (await gens(page))[0]?.step ?? 0, { timeout: 300_000, intervals: [500] }).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Stop (keeps a checkpoint)' }).click();
  await waitTrained(page, 300_000);
  const checkpoint = (await gens(page))[0]!.checkpointStep!;
  expect(checkpoint).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Resume training' }).click();
  await expect.poll(async () => (await gens(page))[0]?.step ?? 0, { timeout: 300_000, intervals: [250] }).toBeGreaterThanOrEqual(checkpoint + 1);
  await page.close();

  const again = await context.newPage();
  await openApp(again);
  const before = (await gens(again))[0]!;
  expect(before).toMatchObject({ status: 'running', checkpointStep: checkpoint }); // cut off, as the tab left it
  const next = again.getByTestId('next-step');
  await expect(next).toContainText(`it resumes from its last checkpoint, step ${checkpoint}`);
  await shot(again, '68-resume-offered');
  await next.getByRole('button', { name: 'Resume it' }).click();
  await expect(again.getByRole('heading', { name: 'Class-specific generators' })).toBeVisible();
  // The run's own settings, not the suggestion for a fresh run.
  await expect(again.getByLabel('Preset')).toHaveValue('tiny');
  await expect(again.getByLabel('Batch')).toHaveValue('4');
  await waitTrained(again, 600_000);
  const runs = await gens(again);
  expect(runs).toHaveLength(2);
  for (const r of runs) expect(r.status).toBe('done');
  const first = runs.find((r) => r.id === before.id)!;
  const steps = first.curve.map((p) => p.step);
  // The curve continues from the checkpoint: the steps after it were trained again, none is missing or doubled.
  expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
  expect(steps.filter((s) => s >= checkpoint).slice(0, 2)).toEqual([checkpoint, checkpoint + 1]);
  await expect(next).not.toContainText('interrupted');
});
