/**
 * Faults during generator training, in the real browser on WebGPU: a NaN loss and a lost GPU device must
 * each pause the run at its last good checkpoint with a message that says what happened, stop the class
 * queue, keep the stored checkpoint intact (resuming continues from its step with finite losses), and, for
 * the lost device, recover through a page reload (a new worker, a new device).
 *
 * The faults are real, not simulated symptoms: the test-only 'inject-fault' request adds NaN to a generator
 * weight before the next step, or destroys tfjs's GPUDevice (src/pipeline/fault-injection.ts).
 *
 * Both tests first train a few steps and stop, so a checkpoint exists (one is written on every stop; the
 * periodic one comes only every 60 s), then resume and inject the fault a few steps later.
 */
import { expect, test, type Page } from '@playwright/test';
import { expectNotice, gens, openApp, setTiny, shot, waitTrained, type Run } from './helpers.ts';

/** 0.2 kimg of batch 4 = 50 steps per class: far more than the test lets run, so the fault always lands mid-run. */
const KIMG = '0.2';
const FIRST = 'benign'; // the demo phantoms' first class, trained first

type Ssg = { ssgnet: { backend: { name: string } | null; engineFailed: boolean; engineMessage: string; generators: { injectFault: (kind: string) => Promise<unknown> } } };

const runOf = async (page: Page, className: string): Promise<Run> => {
  const r = (await gens(page)).find((x) => x.className === className);
  if (!r) throw new Error(`no run for class ${className}`);
  return r;
};
const stepOf = async (page: Page) => (await gens(page)).find((x) => x.className === FIRST)?.step ?? 0;
const card = (page: Page, className: string) => page.locator(`[data-testid=run-card][aria-label="Generator for ${className}"]`);
const finite = (x: number | null) => typeof x === 'number' && Number.isFinite(x);

/** Trains the first class until it has taken `steps` steps (counted from `from`), then stops: a checkpoint is written. */
async function trainAndStop(page: Page, button: 'Train generators' | 'Resume training', from: number, steps: number): Promise<Run> {
  await page.getByRole('button', { name: button }).click();
  await expect.poll(() => stepOf(page), { timeout: 400_000, intervals: [500] }).toBeGreaterThanOrEqual(from + steps);
  await page.getByRole('button', { name: 'Stop (keeps a checkpoint)' }).click();
  await waitTrained(page, 400_000);
  const r = await runOf(page, FIRST);
  expect(r.status).toBe('paused');
  expect(r.checkpointStep).toBe(r.step);
  return r;
}

/** Resumes, lets the first class take at least two steps past its checkpoint, injects `kind`, waits for the job to end. */
async function resumeAndInject(page: Page, checkpoint: number, kind: 'nan' | 'device-lost'): Promise<number> {
  await page.getByRole('button', { name: 'Resume training' }).click();
  await expect.poll(() => stepOf(page), { timeout: 400_000, intervals: [500] }).toBeGreaterThanOrEqual(checkpoint + 2);
  const stepBefore = await stepOf(page);
  await page.evaluate((k) => (globalThis as unknown as Ssg).ssgnet.generators.injectFault(k), kind);
  await waitTrained(page, 400_000);
  return stepBefore;
}

/** After a pause: the run sits at its checkpoint, its curve stops before it, and the next class never started. */
async function expectPausedAtCheckpoint(page: Page, firstCheckpoint: number): Promise<Run> {
  const r = await runOf(page, FIRST);
  expect(r.status).toBe('paused');
  expect(r.checkpointStep).not.toBeNull();
  // The last good checkpoint is the stop's one, or a periodic one written since (every 60 s) if the machine is slow.
  expect(r.checkpointStep!).toBeGreaterThanOrEqual(firstCheckpoint);
  expect(r.step).toBe(r.checkpointStep);
  expect(r.curve.every((p) => p.step < r.step && finite(p.lossG) && finite(p.lossD))).toBe(true);
  // The queue stopped: the second class was never started.
  const second = await runOf(page, 'malignant');
  expect(second).toMatchObject({ status: 'queued', step: 0, checkpointStep: null });
  await expect(card(page, FIRST)).toHaveAttribute('data-status', 'paused');
  return r;
}

/** Reloads, checks the paused record survived, resumes and checks training continues from `checkpoint` with finite losses. */
async function reloadAndResume(page: Page, checkpoint: number, message: RegExp): Promise<void> {
  await page.reload();
  await openApp(page);
  expect((await page.evaluate(() => (globalThis as unknown as Ssg).ssgnet.backend?.name))).toBe('webgpu');
  const stored = await runOf(page, FIRST);
  expect(stored).toMatchObject({ status: 'paused', step: checkpoint, checkpointStep: checkpoint });
  expect(stored.message).toMatch(message);
  await setTiny(page, KIMG);
  await expect(card(page, FIRST).getByTestId('run-message')).toContainText(message);
  const r = await trainAndStop(page, 'Resume training', checkpoint, 2);
  const resumed = r.curve.filter((p) => p.step >= checkpoint);
  expect(resumed.map((p) => p.step).slice(0, 2)).toEqual([checkpoint, checkpoint + 1]); // continues from the checkpoint's step
  for (const p of resumed) expect(finite(p.lossG) && finite(p.lossD), `step ${p.step}: G ${p.lossG}, D ${p.lossD}`).toBe(true);
}

test('a NaN loss pauses the run at its last good checkpoint with a message; resuming continues from it', async ({ page }) => {
  test.setTimeout(2_400_000); // a software GPU shared with other work can be slow; the steps themselves are few
  await openApp(page);
  await setTiny(page, KIMG);
  const stopped = await trainAndStop(page, 'Train generators', 0, 2);

  const stepBefore = await resumeAndInject(page, stopped.step, 'nan');
  const r = await expectPausedAtCheckpoint(page, stopped.step);
  const ckpt = r.checkpointStep!;
  // Steps count from 1 in messages, as on the counter: the poisoned step is one started after the fault was asked
  // for (`stepBefore` steps were done by then), and after the checkpoint (`ckpt` steps done).
  const nanStep = Number(/NaN\/infinite in step (\d+)/.exec(r.message)?.[1]);
  expect(nanStep, r.message).toBeGreaterThan(stepBefore);
  expect(nanStep).toBeGreaterThan(ckpt);
  expect(r.message).toContain(`last good checkpoint (step ${ckpt})`);
  await expectNotice(page, new RegExp(`${FIRST}: .*NaN/infinite in step ${nanStep}.*checkpoint \\(step ${ckpt}\\)`));
  await expect(card(page, FIRST).getByTestId('run-message')).toContainText(`NaN/infinite in step ${nanStep}`);
  await expect(page.getByRole('button', { name: 'Resume training' })).toBeEnabled();
  await shot(page, '30-training-nan-paused');

  // The stored checkpoint is the good one: a reloaded page resumes from its step with finite losses.
  await reloadAndResume(page, ckpt, /NaN\/infinite/);
});

test('a lost GPU device pauses the run at its last checkpoint; a reload gets a new device and resumes', async ({ page }) => {
  test.setTimeout(2_400_000);
  await openApp(page);
  test.skip((await page.evaluate(() => (globalThis as unknown as Ssg).ssgnet.backend?.name)) !== 'webgpu', 'needs WebGPU: only its device can be lost');
  await setTiny(page, KIMG);
  const stopped = await trainAndStop(page, 'Train generators', 0, 2);

  await resumeAndInject(page, stopped.step, 'device-lost');
  const r = await expectPausedAtCheckpoint(page, stopped.step);
  const ckpt = r.checkpointStep!;
  expect(r.message).toMatch(/GPU device was lost/);
  expect(r.message).toContain(`last checkpoint (step ${ckpt})`);
  expect(r.message).toMatch(/reload the page/i);
  await expectNotice(page, new RegExp(`${FIRST}: .*GPU device was lost.*step ${ckpt}.*reload the page`, 'i'));
  await expect(card(page, FIRST).getByTestId('run-message')).toContainText('GPU device was lost');
  await shot(page, '31-training-device-lost-paused');

  // Without a reload nothing can run on the dead device: resuming says so instead of failing obscurely.
  await page.getByRole('button', { name: 'Resume training' }).click();
  await waitTrained(page, 120_000);
  await expectNotice(page, /reload the page/i);
  expect(await runOf(page, FIRST)).toMatchObject({ status: 'paused', step: ckpt, checkpointStep: ckpt });

  // A reload starts a new worker with a new device; the run resumes from the checkpoint with finite losses.
  await reloadAndResume(page, ckpt, /GPU device was lost/);
});
