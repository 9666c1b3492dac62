/**
 * Exchange (issue 7 §4): a generator exported in tfjs's weights format decodes with tfjs itself; a whole
 * project exported from one browser profile imports into an empty one with the same datasets and runs, and
 * the imported generator draws exactly the same images; importing again adds nothing; a wrong file is refused.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { unzipSync, zipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { datasets, expectNotice, gens, openApp, setTiny, shot, waitIdle, waitTrained } from './helpers.ts';

type Engine = { engine: { call: (t: string, a: unknown) => Promise<{ pixels: Uint8Array }> } };
const sample = (page: Page, runId: string) =>
  page.evaluate(async (id) => Array.from((await (globalThis as unknown as { ssgnet: Engine }).ssgnet.engine.call('sample-run', { runId: id, firstSeed: 7, count: 2, psi: 1 })).pixels), runId);

async function download(page: Page, click: () => Promise<void>): Promise<{ bytes: Uint8Array; path: string; name: string }> {
  const pending = page.waitForEvent('download');
  await click();
  const d = await pending;
  const path = await d.path();
  return { bytes: new Uint8Array(readFileSync(path)), path, name: d.suggestedFilename() };
}

test('model export in tfjs format, project export and import into an empty browser', async ({ page, browser }) => {
  test.setTimeout(900_000);
  await openApp(page);
  await setTiny(page, '0.008');
  await page.getByRole('button', { name: 'Train generators' }).click();
  await waitTrained(page, 600_000);
  const runs = await gens(page);
  expect(runs.every((r) => r.checkpointStep !== null)).toBe(true);

  // One generator in tfjs's own format: the manifest and the binary decode with tf.io.decodeWeights.
  const model = await download(page, () => page.getByTestId('run-card').first().getByRole('button', { name: 'Export model' }).click());
  const files = unzipSync(model.bytes);
  const json = JSON.parse(new TextDecoder().decode(files['model.json']!));
  expect(json.format).toBe('ssgnet-generator');
  expect(json.ssgnet.generator.resolution).toBeGreaterThan(0);
  const w = files['weights.bin']!;
  const decoded = tf.io.decodeWeights(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer, json.weightsManifest[0].weights);
  expect(Object.keys(decoded).length).toBe(json.weightsManifest[0].weights.length);
  expect(Object.values(decoded).every((t) => t.dataSync().every(Number.isFinite))).toBe(true);
  tf.dispose(Object.values(decoded));

  // The whole project, into a fresh profile (empty storage, no demo import).
  await page.getByRole('navigation').getByRole('button', { name: 'Data' }).click();
  const project = await download(page, () => page.getByRole('button', { name: 'Export project' }).click());
  expect(project.name).toMatch(/\.ssgnet\.zip$/);
  const before = await datasets(page);
  const other = await browser.newContext();
  const page2 = await other.newPage();
  try {
    await openApp(page2, '?nodemo=1');
    expect(await datasets(page2)).toEqual([]);
    await page2.setInputFiles('[data-testid=project-input]', project.path);
    await waitIdle(page2);
    await expectNotice(page2, /Imported .*: 1 dataset, 2 generator runs/);
    await shot(page2, '60-project-imported');
    expect((await datasets(page2)).map((d) => [d.id, d.sha256, d.count])).toEqual(before.map((d) => [d.id, d.sha256, d.count]));
    const runs2 = await gens(page2);
    expect(runs2.map((r) => [r.id, r.step, r.checkpointStep])).toEqual(runs.map((r) => [r.id, r.step, r.checkpointStep]));
    // The checkpoint came across intact: the same seed draws the same pixels in both browsers.
    expect(await sample(page2, runs[0]!.id)).toEqual(await sample(page, runs[0]!.id));

    // Again: nothing new, nothing overwritten.
    await page2.setInputFiles('[data-testid=project-input]', project.path);
    await waitIdle(page2);
    await expectNotice(page2, /nothing new; \d+ records were already here/);
    // Not a project: refused with the reason.
    await page2.setInputFiles('[data-testid=project-input]', { name: 'photos.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync({ 'a.txt': new Uint8Array([1]) })) });
    await waitIdle(page2);
    await expectNotice(page2, /not an SSGNet project file \(no project.json inside\)/);
    expect((await datasets(page2)).length).toBe(1);
  } finally {
    await other.close();
  }
});
