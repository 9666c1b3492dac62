/**
 * A real full disk: the browser profile lives on a 48 MB tmpfs, so IndexedDB runs out of space for real
 * (Chromium's CDP quota override has no effect in this headless build; measured). Needs root to mount.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext } from '@playwright/test';
import { chromiumArgs, findChromium } from '../../src/cli/chromium.ts';
import { tinyNpz } from './fixtures/npz.ts';
import { datasets, expectNotice, importThrough, openApp, shot } from './helpers.ts';

const mountPoint = join(tmpdir(), `ssgnet-smallfs-${process.pid}`);
let mounted = false;

test.beforeAll(() => {
  mkdirSync(mountPoint, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    mounted = true;
  } catch {
    mounted = false;
  }
});

test.afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
});

test('storage full: the import is rolled back, earlier datasets stay, and the app keeps working', async ({ baseURL }) => {
  test.skip(!mounted, 'needs permission to mount a small tmpfs (run as root) to fill a disk for real');
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(mkdtempSync(join(mountPoint, 'profile-')), {
      executablePath: findChromium(),
      args: chromiumArgs(),
      headless: true,
      baseURL,
      viewport: { width: 1280, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await openApp(page); // fresh profile: the demo set is imported, and is what must survive
    const before = (await datasets(page)).map((d) => ({ id: d.id, sha256: d.sha256 }));
    expect(before).toHaveLength(1);
    const usageBefore = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

    // 3000 phantoms at 128 px are about 98 MB of images and masks: far more than the disk has.
    await page.evaluate(() => {
      const app = (globalThis as unknown as { ssgnet: { lastImport: unknown; importPhantom: (o: unknown) => Promise<unknown> } }).ssgnet;
      app.lastImport = null;
      void app.importPhantom({ size: 128, count: 3000, seed: 5 });
    });
    await page.waitForFunction(() => (globalThis as unknown as { ssgnet: { lastImport: unknown } }).ssgnet.lastImport !== null, null, { timeout: 170_000 });
    const outcome = await page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { ssgnet: { lastImport: unknown } }).ssgnet.lastImport)));
    expect(outcome).toMatchObject({ ok: false, code: 'storage-full' });
    expect(outcome.message).toMatch(/Storage is full.*earlier datasets are intact/);
    await expectNotice(page, /Storage is full/);
    await shot(page, '14-bad-storage-full');

    expect((await datasets(page)).map((d) => ({ id: d.id, sha256: d.sha256 }))).toEqual(before);
    const usageAfter = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    expect(usageAfter).toBeLessThan(usageBefore + 2 * 1024 * 1024); // the partial import's chunks are gone

    const npz = join(mkdtempSync(join(tmpdir(), 'ssgnet-npz-')), 'tiny.npz');
    writeFileSync(npz, tinyNpz());
    const ok = await importThrough(page, 'file-input', npz);
    expect(ok.ok, JSON.stringify(ok)).toBe(true);
    await page.reload();
    await openApp(page);
    expect(await datasets(page)).toHaveLength(2);
  } finally {
    await context?.close();
  }
});
