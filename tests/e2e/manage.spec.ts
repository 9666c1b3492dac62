/** Managing stored datasets as a user does: zip and drag-and-drop imports, cancel, rename, delete, reload. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { discImage, encodePng } from './fixtures/png.ts';
import { tinyNpz } from './fixtures/npz.ts';
import { datasets, importThrough, openApp, shot, waitIdle } from './helpers.ts';

const tmpFile = (name: string, bytes: Uint8Array) => {
  const p = join(mkdtempSync(join(tmpdir(), 'ssgnet-manage-')), name);
  writeFileSync(p, bytes);
  return p;
};

test('a zip of class folders and a zip of Kvasir-style pairs import like the folders would', async ({ page }) => {
  await openApp(page, '?nodemo=1');
  const grey = (k: number) => encodePng(24, 16, 1, Uint8Array.from({ length: 24 * 16 }, (_, i) => (i * k) & 255));
  const classes = zipSync({ 'set/train/cats/a.png': grey(3), 'set/train/dogs/b.png': grey(5), 'set/test/cats/c.png': grey(7), 'set/test/dogs/d.png': grey(9), 'set/val/cats/e.png': grey(11), 'set/val/dogs/f.png': grey(13) });
  const one = await importThrough(page, 'file-input', tmpFile('classes.zip', classes));
  expect(one.ok, JSON.stringify(one)).toBe(true);
  if (one.ok) {
    expect(one.result.dataset.classes).toEqual(['cats', 'dogs']);
    expect(one.result.dataset.splitOrigin.kind).toBe('source');
    expect(one.result.dataset.counts).toEqual({ train: { cats: 1, dogs: 1 }, val: { cats: 1, dogs: 1 }, test: { cats: 1, dogs: 1 } });
  }
  const p = discImage(30, 20, 15, 10, 5);
  const pairs = zipSync({ 'kv/images/x.png': p.image, 'kv/masks/x.png': p.mask, 'kv/images/y.png': p.image, 'kv/masks/y.png': p.mask });
  const two = await importThrough(page, 'file-input', tmpFile('pairs.zip', pairs));
  expect(two.ok, JSON.stringify(two)).toBe(true);
  if (two.ok) {
    expect(two.result.dataset.kind).toBe('segmentation');
    expect(two.result.dataset.count).toBe(2);
  }
  // A zip holding a MedMNIST .npz is opened too.
  const three = await importThrough(page, 'file-input', tmpFile('wrapped.zip', zipSync({ 'tiny.npz': tinyNpz() })));
  expect(three.ok, JSON.stringify(three)).toBe(true);
});

test('dropping a file on the import area imports it', async ({ page }) => {
  await openApp(page, '?nodemo=1');
  const bytes = Array.from(tinyNpz());
  await page.evaluate(() => ((globalThis as unknown as { ssgnet: { lastImport: unknown } }).ssgnet.lastImport = null));
  const dt = await page.evaluateHandle((b) => {
    const d = new DataTransfer();
    d.items.add(new File([new Uint8Array(b)], 'dropped.npz'));
    return d;
  }, bytes);
  await page.getByRole('region', { name: 'Drop files or folders here' }).dispatchEvent('drop', { dataTransfer: dt });
  await page.waitForFunction(() => (globalThis as unknown as { ssgnet: { lastImport: unknown } }).ssgnet.lastImport !== null);
  const ds = await datasets(page);
  expect(ds.map((d) => d.name)).toEqual(['dropped']);
});

test('a long import can be cancelled and leaves nothing behind', async ({ page }) => {
  await openApp(page);
  const before = (await datasets(page)).map((d) => d.sha256);
  await page.evaluate(() => void (globalThis as unknown as { ssgnet: { importPhantom: (o: unknown) => Promise<unknown> } }).ssgnet.importPhantom({ size: 128, count: 4000, seed: 9 }));
  const cancel = page.getByTestId('job').getByRole('button', { name: 'Cancel' });
  await expect(page.getByTestId('job')).toContainText('generating', { timeout: 60_000 });
  await cancel.click();
  await expect(page.getByTestId('notice')).toContainText('cancelled; nothing was kept');
  await waitIdle(page);
  expect((await datasets(page)).map((d) => d.sha256)).toEqual(before);
  await page.reload();
  await waitIdle(page);
  expect((await datasets(page)).map((d) => d.sha256)).toEqual(before);
});

test('rename and delete persist across a reload', async ({ page }) => {
  await openApp(page);
  const [demo] = await datasets(page);
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name').fill('  My phantoms  ');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText('My phantoms');
  await page.reload();
  await waitIdle(page);
  expect((await datasets(page)).map((d) => [d.id, d.name])).toEqual([[demo!.id, 'My phantoms']]);
  await shot(page, '06-renamed');

  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByTestId('dataset-list')).toHaveCount(0);
  await page.goto('./?nodemo=1');
  await waitIdle(page);
  expect(await datasets(page)).toEqual([]);
});

test('a store written by a newer version of the app is refused with a message, not misread', async ({ page }) => {
  await openApp(page);
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('ssgnet');
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          tx.objectStore('kv').put({ schema: 99, ids: [] }, 'datasets');
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
  await page.reload();
  await waitIdle(page);
  await expect(page.getByTestId('notice')).toContainText('written by a newer version of the app (store schema 99');
});

test('the phantom settings make a set of the chosen size and count', async ({ page }) => {
  await openApp(page, '?nodemo=1');
  await page.getByText('Import settings').click();
  await page.getByLabel('Size', { exact: true }).fill('32');
  await page.getByLabel('Images', { exact: true }).fill('40');
  await page.getByLabel('Seed', { exact: true }).fill('7');
  await page.getByRole('button', { name: 'Generate' }).click();
  await waitIdle(page);
  const [d] = await datasets(page);
  expect(d).toMatchObject({ size: 32, count: 40, name: 'Phantoms 32px, seed 7' });
});
