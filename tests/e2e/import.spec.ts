import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { datasets, hasSharedData, importThrough, openApp, SHARED_DATA, shot, storedArrays, waitIdle } from './helpers.ts';

/**
 * Decodes an image + mask pair on the page's main thread through <img> and a canvas (not the worker's
 * createImageBitmap path), resized the same way, and returns it for comparison with what was stored.
 */
async function decodeOnPage(page: Page, imagePath: string, maskPath: string, size: number): Promise<{ gray: number[]; mask: number[] }> {
  const mime = (p: string) => (p.endsWith('.png') ? 'image/png' : 'image/jpeg');
  const img = `data:${mime(imagePath)};base64,${readFileSync(imagePath).toString('base64')}`;
  const msk = `data:${mime(maskPath)};base64,${readFileSync(maskPath).toString('base64')}`;
  return page.evaluate(
    async ({ img, msk, size }) => {
      const load = (src: string) =>
        new Promise<HTMLImageElement>((res, rej) => {
          const el = new Image();
          el.onload = () => res(el);
          el.onerror = () => rej(new Error('decode failed'));
          el.src = src;
        });
      const draw = (el: HTMLImageElement) => {
        const c = document.createElement('canvas');
        c.width = c.height = size;
        const ctx = c.getContext('2d')!;
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(el, 0, 0, size, size);
        return ctx.getImageData(0, 0, size, size).data;
      };
      const a = draw(await load(img));
      const m = draw(await load(msk));
      const gray: number[] = [];
      const mask: number[] = [];
      for (let i = 0; i < size * size; i++) {
        gray.push(0.299 * a[4 * i]! + 0.587 * a[4 * i + 1]! + 0.114 * a[4 * i + 2]!);
        mask.push(0.299 * m[4 * i]! + 0.587 * m[4 * i + 1]! + 0.114 * m[4 * i + 2]! >= 128 ? 1 : 0);
      }
      return { gray, mask };
    },
    { img, msk, size },
  );
}

function iou(a: number[], b: number[]): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return union === 0 ? 1 : inter / union;
}

/** Stored image i as grey levels (RGB datasets converted the same way as the page decode). */
function storedGray(images: number[], i: number, size: number, channels: number): number[] {
  const px = size * size;
  return Array.from({ length: px }, (_, p) =>
    channels === 1 ? images[i * px + p]! : 0.299 * images[(i * px + p) * 3]! + 0.587 * images[(i * px + p) * 3 + 1]! + 0.114 * images[(i * px + p) * 3 + 2]!,
  );
}

test('BreastMNIST .npz imports with the official split and survives a reload', async ({ page }) => {
  test.skip(!hasSharedData('breastmnist/breastmnist.npz'), 'needs ../shared/data/breastmnist/breastmnist.npz (absent here)');
  await openApp(page, '?nodemo=1');
  const outcome = await importThrough(page, 'file-input', resolve(SHARED_DATA, 'breastmnist/breastmnist.npz'));
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
  if (!outcome.ok) return;
  const d = outcome.result.dataset;
  expect(d.kind).toBe('classification');
  expect(d.size).toBe(28);
  expect(d.classes).toEqual(['malignant', 'normal, benign']);
  expect(d.counts).toEqual({
    train: { malignant: 147, 'normal, benign': 399 },
    val: { malignant: 21, 'normal, benign': 57 },
    test: { malignant: 42, 'normal, benign': 114 },
  });
  await expect(page.getByTestId('counts').locator('tr[data-split=train]')).toContainText('546');
  await expect(page.getByTestId('attribution')).toContainText('MedMNIST');
  await shot(page, '03-import-breastmnist');

  await page.reload();
  await waitIdle(page);
  const after = await datasets(page);
  expect(after.map((x) => [x.id, x.sha256, x.counts])).toEqual([[d.id, d.sha256, d.counts]]);
  const arrays = await storedArrays(page, d.id);
  expect(arrays.images.length).toBe(780 * 28 * 28);
  expect(arrays.splits.filter((s) => s === 0).length).toBe(546);
});

test('a 40-pair slice of ISIC 2018 imports as segmentation with masks that line up', async ({ page }) => {
  test.skip(!hasSharedData('isic2018/splits.csv'), 'needs ../shared/data/isic2018 (absent here)');
  const rows = readFileSync(resolve(SHARED_DATA, 'isic2018/splits.csv'), 'utf8').trim().split('\n').slice(1, 41).map((l) => l.split(','));
  const dir = join(mkdtempSync(join(tmpdir(), 'isic40-')), 'isic40');
  mkdirSync(dir);
  for (const [id] of rows) {
    copyFileSync(resolve(SHARED_DATA, `isic2018/images/${id}.jpg`), join(dir, `${id}.jpg`));
    copyFileSync(resolve(SHARED_DATA, `isic2018/masks/${id}_segmentation.png`), join(dir, `${id}_segmentation.png`));
  }
  await openApp(page, '?nodemo=1');
  const outcome = await importThrough(page, 'folder-input', dir);
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
  if (!outcome.ok) return;
  const d = outcome.result.dataset;
  expect(d.kind).toBe('segmentation');
  expect(d.count).toBe(40);
  expect(d.channels).toBe(3);
  expect(outcome.result.skipped).toEqual([]);
  // No splits.csv in the slice: a seeded split, every image in exactly one split.
  expect(d.splitOrigin.kind).toBe('seeded');
  const a = await storedArrays(page, d.id);
  expect(a.names).toHaveLength(40);
  for (let i = 0; i < 40; i++) {
    const id = a.names![i]!;
    const fraction = rows.find((r) => r[0] === id)![4];
    const stored = a.masks!.slice(i * 64 * 64, (i + 1) * 64 * 64);
    // The published foreground fraction (at 256x192) matches the stored 64x64 mask's.
    expect(Math.abs(stored.reduce((s, v) => s + v, 0) / 4096 - Number(fraction)), `${id}`).toBeLessThan(0.03);
    if (i < 6) {
      const ref = await decodeOnPage(page, resolve(SHARED_DATA, `isic2018/images/${id}.jpg`), resolve(SHARED_DATA, `isic2018/masks/${id}_segmentation.png`), 64);
      expect(iou(stored, ref.mask), `${id} mask IoU`).toBeGreaterThan(0.9);
      const g = storedGray(a.images, i, 64, 3);
      const mae = g.reduce((s, v, p) => s + Math.abs(v - ref.gray[p]!), 0) / g.length;
      expect(mae, `${id} image error`).toBeLessThan(6);
    }
  }
  await shot(page, '04-import-isic40');
});

test('the Kvasir-SEG pairs (images/ + masks/, JPEG masks, odd sizes) import with aligned masks', async ({ page }) => {
  test.skip(!hasSharedData('kvasir-seg/images'), 'needs ../shared/data/kvasir-seg (absent here)');
  await openApp(page, '?nodemo=1');
  const outcome = await importThrough(page, 'folder-input', resolve(SHARED_DATA, 'kvasir-seg'));
  expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
  if (!outcome.ok) return;
  const d = outcome.result.dataset;
  expect(d.kind).toBe('segmentation');
  expect(d.count).toBe(5);
  expect(d.channels).toBe(3);
  expect(d.attribution?.dataset).toMatch(/Kvasir/);
  const a = await storedArrays(page, d.id);
  const names = a.names!;
  for (let i = 0; i < 5; i++) {
    const name = names[i]!;
    const ref = await decodeOnPage(page, resolve(SHARED_DATA, `kvasir-seg/images/${name}.jpg`), resolve(SHARED_DATA, `kvasir-seg/masks/${name}.jpg`), 64);
    const stored = a.masks!.slice(i * 4096, (i + 1) * 4096);
    expect(stored.every((v) => v === 0 || v === 1)).toBe(true);
    expect(iou(stored, ref.mask), `${name} mask IoU`).toBeGreaterThan(0.9);
    const g = storedGray(a.images, i, 64, 3);
    expect(g.reduce((s, v, p) => s + Math.abs(v - ref.gray[p]!), 0) / g.length, `${name} image error`).toBeLessThan(6);
  }
  await shot(page, '05-import-kvasir');
});
