import { expect, test } from '@playwright/test';
import { datasets, openApp, shot, waitIdle } from './helpers.ts';

type Report = {
  name: string;
  adapter: { vendor: string; architecture: string; isFallbackAdapter: boolean } | null;
  selfTest: { passed: boolean; maxRelError: number };
  tuning: { tuning: { naiveConv2d: boolean; naiveMatMul: boolean }; measured: { conv2d: { tiled: number; naive: number } } | null; cached: boolean } | null;
};
const backendOf = (page: import('@playwright/test').Page) =>
  page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { ssgnet: { backend: unknown } }).ssgnet.backend)) as Report);

test('a fresh browser gets WebGPU, a passing self-test, and the built-in demo data', async ({ page }) => {
  await openApp(page);
  const b = await backendOf(page);
  expect(b.name).toBe('webgpu');
  expect(b.adapter?.vendor).toBeTruthy();
  expect(b.selfTest.passed).toBe(true);
  expect(b.selfTest.maxRelError).toBeLessThan(1e-3);
  await expect(page.getByTestId('engine-badge')).toContainText('webgpu');
  await expect(page.getByTestId('engine-badge')).toContainText('self-test passed');

  const ds = await datasets(page);
  expect(ds).toHaveLength(1);
  expect(ds[0]!.name).toMatch(/Phantom/);
  expect(ds[0]!.kind).toBe('segmentation');
  expect(ds[0]!.classes).toEqual(['benign', 'malignant']);
  expect(ds[0]!.count).toBe(300);
  await expect(page.getByTestId('thumbs').first().locator('canvas')).toHaveCount(8);
  await shot(page, '01-data-demo');

  await page.getByRole('navigation').getByRole('button', { name: 'System' }).click();
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await expect(page.getByTestId('adapter')).toContainText(b.adapter!.architecture);
  await expect(page.getByTestId('self-test')).toContainText('passed');
  // The autotune measured both conv/matmul variants on this adapter (a fresh profile has no cached choice),
  // picked the faster, and the System view says which and why.
  expect(b.tuning?.cached).toBe(false);
  const m = b.tuning!.measured!;
  expect(m.conv2d.tiled).toBeGreaterThan(0);
  expect(b.tuning!.tuning.naiveConv2d).toBe(m.conv2d.naive < 0.9 * m.conv2d.tiled);
  await expect(page.getByTestId('tuning')).toContainText('measured on this adapter');
  await shot(page, '02-system');
  // A reload reuses the choice cached for this adapter instead of measuring again.
  await page.reload();
  await waitIdle(page);
  expect((await backendOf(page)).tuning?.cached).toBe(true);
});

test('?backend=cpu forces the CPU backend, and the setting switches and persists', async ({ page }) => {
  await openApp(page, '?backend=cpu&nodemo=1');
  expect((await backendOf(page)).name).toBe('cpu');
  await expect(page.getByTestId('engine-badge')).toContainText('cpu');

  // The setting (no URL parameter): choose WebGL in the System view, apply, and it survives a reload.
  await page.goto('./?nodemo=1');
  await waitIdle(page);
  await page.getByRole('navigation').getByRole('button', { name: 'System' }).click();
  await page.getByLabel('Backend', { exact: true }).selectOption('webgl');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('backend-name')).toHaveText('webgl', { timeout: 120_000 });
  await page.reload();
  await waitIdle(page);
  expect((await backendOf(page)).name).toBe('webgl');
  await page.getByRole('navigation').getByRole('button', { name: 'System' }).click();
  await expect(page.getByTestId('self-test')).toContainText('passed');
});

test('without WebGPU the app says so plainly and continues on a fallback backend', async ({ baseURL }) => {
  const { chromium } = await import('@playwright/test');
  const { chromiumArgs, findChromium } = await import('../../src/cli/chromium.ts');
  const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumArgs().filter((a) => a !== '--enable-unsafe-webgpu') });
  try {
    const page = await browser.newPage({ baseURL, viewport: { width: 1280, height: 900 } });
    await openApp(page, '?nodemo=1');
    const b = await backendOf(page);
    expect(b.name).not.toBe('webgpu');
    expect(b.selfTest.passed).toBe(true);
    await expect(page.getByTestId('fallback-banner')).toContainText('no WebGPU adapter'); // on every view, not only System
    await page.getByRole('navigation').getByRole('button', { name: 'System' }).click();
    await expect(page.getByTestId('fallback')).toContainText('no WebGPU adapter');
    await shot(page, '02b-system-no-webgpu');
  } finally {
    await browser.close();
  }
});
