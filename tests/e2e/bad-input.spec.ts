/**
 * Every kind of bad input gets a clear, specific message, and what was stored before is untouched:
 * same dataset ids, same SHA-256 of their arrays, nothing half-written left behind.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { tinyNpz } from './fixtures/npz.ts';
import { imagesNpy } from '../unit/fixtures/npy-writer.ts';
import { discImage, encodePng } from './fixtures/png.ts';
import { zipBomb } from './fixtures/zip-bomb.ts';
import { datasets, expectNotice, importThrough, openApp, shot } from './helpers.ts';

const work = () => mkdtempSync(join(tmpdir(), 'ssgnet-bad-'));

/** Writes files (path -> bytes) under a new folder and returns the folder. */
function folder(name: string, files: Record<string, Uint8Array | string>): string {
  const root = join(work(), name);
  for (const [p, bytes] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), bytes);
  }
  return root;
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(work(), name);
  writeFileSync(p, bytes);
  return p;
}

const grey = (seed: number) => encodePng(20, 20, 1, Uint8Array.from({ length: 400 }, (_, i) => (i * seed) & 255));

type Snapshot = { id: string; sha256: string }[];
async function snapshot(page: Page): Promise<Snapshot> {
  return (await datasets(page)).map((d) => ({ id: d.id, sha256: d.sha256 }));
}

/** Imports, expects the given failure, and checks that the stored datasets did not change. */
async function expectRefused(page: Page, input: 'file-input' | 'folder-input', path: string, code: string, message: RegExp): Promise<void> {
  const before = await snapshot(page);
  const outcome = await importThrough(page, input, path);
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  if (outcome.ok) return;
  expect(outcome.message).toMatch(message);
  expect(outcome.code).toBe(code);
  await expectNotice(page, message);
  expect(await snapshot(page)).toEqual(before);
}

test.describe('bad input', () => {
  test.beforeEach(async ({ page }) => {
    await openApp(page); // a fresh browser: the demo dataset is the "earlier dataset" to protect
    expect(await datasets(page)).toHaveLength(1);
  });

  test('a corrupt .npz, a truncated .npz and a file that is not a zip', async ({ page }) => {
    const good = tinyNpz();
    await expectRefused(page, 'file-input', file('truncated.npz', good.slice(0, Math.floor(good.length * 0.6))), 'bad-input', /damaged or incomplete/i);
    await shot(page, '10-bad-truncated-npz');
    const corrupt = good.slice();
    corrupt.fill(0x41, 200, 400); // overwrite compressed bytes in the middle
    await expectRefused(page, 'file-input', file('corrupt.npz', corrupt), 'bad-input', /damaged|corrupt|check|truncated/i);
    await expectRefused(page, 'file-input', file('notes.zip', new TextEncoder().encode('just some text, not an archive')), 'bad-input', /not a zip/i);
    // A valid npz of the wrong content: names what is missing.
    await expectRefused(page, 'file-input', file('other.npz', zipSync({ 'x.npy': imagesNpy(2, 28) })), 'bad-input', /train_images/);
  });

  test('a folder with a non-image file and an undecodable image imports the rest and lists what it skipped', async ({ page }) => {
    const dir = folder('mixed', {
      'benign/a.png': grey(3),
      'benign/b.png': grey(5),
      'benign/notes.txt': 'clinical notes',
      'malignant/c.png': grey(7),
      'malignant/d.png': grey(9),
      'malignant/broken.png': new Uint8Array([137, 80, 78, 71, 1, 2, 3, 4, 5]),
    });
    const outcome = await importThrough(page, 'folder-input', dir);
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.dataset.count).toBe(4);
    expect(outcome.result.dataset.classes).toEqual(['benign', 'malignant']);
    const reasons = Object.fromEntries(outcome.result.skipped.map((s) => [s.path.split('/').pop(), s.reason]));
    expect(reasons['notes.txt']).toMatch(/not an image/);
    expect(reasons['broken.png']).toMatch(/not a decodable image/);
    await expect(page.getByTestId('skipped')).toContainText('notes.txt');
    await shot(page, '11-bad-skipped-files');
    expect(await datasets(page)).toHaveLength(2);
  });

  test('a mask without an image and a mask of another size are skipped with their reasons', async ({ page }) => {
    const a = discImage(40, 30, 20, 15, 8);
    const b = discImage(40, 30, 10, 10, 6);
    const wrong = discImage(50, 50, 25, 25, 10);
    const dir = folder('pairs', {
      'ISIC_1.png': a.image,
      'ISIC_1_segmentation.png': a.mask,
      'ISIC_2.png': b.image,
      'ISIC_2_segmentation.png': b.mask,
      'ISIC_3.png': b.image,
      'ISIC_3_segmentation.png': wrong.mask,
      'ISIC_4_segmentation.png': a.mask,
    });
    const outcome = await importThrough(page, 'folder-input', dir);
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.dataset.count).toBe(2);
    const reasons = Object.fromEntries(outcome.result.skipped.map((s) => [s.path.split('/').pop(), s.reason]));
    expect(reasons['ISIC_4_segmentation.png']).toMatch(/mask without an image/);
    expect(reasons['ISIC_3_segmentation.png']).toMatch(/mask is 50×50 but its image is 40×30/);
  });

  test('an empty class and a single-class set are refused by name', async ({ page }) => {
    await expectRefused(page, 'folder-input', folder('emptyclass', { 'benign/a.png': grey(3), 'benign/b.png': grey(4), 'malignant/readme.rtf': 'x' }), 'bad-input', /"malignant" has no images/);
    await shot(page, '12-bad-empty-class');
    await expectRefused(page, 'folder-input', folder('oneclass', { 'benign/a.png': grey(3), 'benign/b.png': grey(4) }), 'bad-input', /Only one class was found \("benign"\)/);
  });

  test('a zip bomb is refused before it is unpacked', async ({ page }) => {
    await expectRefused(page, 'file-input', file('bomb.zip', zipBomb()), 'bad-input', /GiB|too large|limit/i);
    await shot(page, '13-bad-zip-bomb');
  });
});
