/** Shared steps of the end-to-end tests: they drive the page as a user does and read `globalThis.ssgnet`. */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import type { DatasetMeta } from '../../src/data/store-types.ts';
import type { ImportOutcome } from '../../src/state/app.svelte.ts';
import type { DatasetArraysMessage } from '../../src/worker/protocol.ts';

export const SHARED_DATA = resolve(import.meta.dirname, '../../../shared/data');
export const hasSharedData = (sub: string) => existsSync(resolve(SHARED_DATA, sub));
export const SCREENS = resolve(import.meta.dirname, '../../test-results/screens');

type App = {
  backend: unknown;
  engineFailed: boolean;
  ready: boolean;
  job: unknown;
  datasets: DatasetMeta[];
  lastImport: ImportOutcome | null;
  engine: { call: (type: string, args: unknown) => Promise<unknown> };
};

/** Opens the app and waits until the engine is ready and any start-up import has finished. */
export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(`./${query}`);
  await waitIdle(page);
}

export async function waitIdle(page: Page, timeout = 170_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const app = (globalThis as unknown as { ssgnet?: App }).ssgnet;
      return app && app.ready && app.job === null;
    },
    null,
    { timeout, polling: 200 },
  );
}

export async function datasets(page: Page): Promise<DatasetMeta[]> {
  return page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { ssgnet: App }).ssgnet.datasets)));
}

/** Sets files on one of the import inputs, as the file dialog would, and waits for the import's outcome. */
export async function importThrough(page: Page, input: 'file-input' | 'folder-input', path: string): Promise<ImportOutcome> {
  await page.evaluate(() => ((globalThis as unknown as { ssgnet: App }).ssgnet.lastImport = null));
  await page.setInputFiles(`[data-testid=${input}]`, path);
  await page.waitForFunction(() => (globalThis as unknown as { ssgnet: App }).ssgnet.lastImport !== null, null, { timeout: 170_000, polling: 200 });
  return page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { ssgnet: App }).ssgnet.lastImport)));
}

/** Every stored array of a dataset, read back through the engine (numbers only: typed arrays as plain arrays). */
export async function storedArrays(page: Page, datasetId: string): Promise<{ meta: DatasetMeta; images: number[]; masks: number[] | null; labels: number[]; splits: number[]; names: string[] | null }> {
  return page.evaluate(async (id) => {
    const a = (await (globalThis as unknown as { ssgnet: App }).ssgnet.engine.call('dataset-arrays', { datasetId: id })) as DatasetArraysMessage;
    return { meta: a.meta, images: Array.from(a.images), masks: a.masks ? Array.from(a.masks) : null, labels: Array.from(a.labels), splits: Array.from(a.splits), names: a.names };
  }, datasetId);
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENS, `${name}.png`), fullPage: true });
}

/** A generator run as the tests read it from `ssgnet.generators.runs` (a subset of GeneratorRunMeta). */
export type Run = {
  id: string;
  className: string;
  status: string;
  message: string;
  step: number;
  checkpointStep: number | null;
  curve: { step: number; lossG: number | null; lossD: number | null }[];
  preset: string;
  quality: { step: number; kid: number; kidStd: number; fd: number; nearCopyRate: number; nFake: number }[];
  closestPairs: unknown[];
  featureExtractor: string | null;
};
type Gens = { runs: Run[]; lastOutcome: unknown; settings: { quality: unknown } };

/** The page's generator runs (a JSON copy: NaN losses would read as null). */
export const gens = (page: Page) => page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { ssgnet: { generators: Gens } }).ssgnet.generators.runs)) as Run[]);

/** Waits until the training job has ended and its final run records are in the page's state. */
export async function waitTrained(page: Page, timeout: number): Promise<void> {
  await waitIdle(page, timeout);
  await page.waitForFunction(() => (globalThis as unknown as { ssgnet: { generators: Gens } }).ssgnet.generators.lastOutcome !== null, null, { timeout: 30_000 });
}

/** Opens the Generators view with the 'tiny' preset, batch 4 and `kimg` per class. */
export async function setTiny(page: Page, kimg: string): Promise<void> {
  // Quality measured at the start and the end only, with a quickly trained extractor: enough to prove the path.
  await page.evaluate(() => {
    (globalThis as unknown as { ssgnet: { generators: Gens } }).ssgnet.generators.settings.quality = { extractorEpochs: 1, nFake: 24, everyKimg: 100 };
  });
  await page.getByRole('navigation').getByRole('button', { name: 'Generators' }).click();
  await page.getByLabel('Preset').selectOption('tiny');
  await page.getByLabel('Length (kimg per class)').fill(kimg);
  await page.getByLabel('Batch').fill('4');
}

/** Makes a phantom dataset through the Data view's generator (the import settings panel), and waits for it. */
export async function importPhantoms(page: Page, size: number, count: number): Promise<void> {
  await page.getByText('Import settings').click();
  await page.locator('#ph-size').fill(String(size));
  await page.locator('#ph-count').fill(String(count));
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await waitIdle(page);
}

/** Records every request of the page that leaves `origin` (blob: and data: URLs are local); read the list at the end. */
export function recordOffOrigin(page: Page, origin: string): string[] {
  const offOrigin: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['blob:', 'data:'].includes(url.protocol) && url.origin !== origin) offOrigin.push(r.url());
  });
  return offOrigin;
}

export async function expectNotice(page: Page, pattern: RegExp): Promise<void> {
  await expect(page.getByTestId('notice')).toContainText(pattern);
}
