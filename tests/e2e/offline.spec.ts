/**
 * Offline and private (issue 7 §5): after one visit the service worker has cached the build, and the app
 * opens, starts its engine and shows the stored data with the network off. The CSP travels in the page too.
 */
import { expect, test } from '@playwright/test';
import { datasets, openApp, shot } from './helpers.ts';

test('after one visit the app opens and works with the network off', async ({ page, context }) => {
  test.setTimeout(400_000);
  await openApp(page);
  const before = await datasets(page);
  expect(before.length).toBeGreaterThan(0);
  // The service worker of this build is active and controls the page.
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated' && navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  const cached = await page.evaluate(async () => {
    const keys = await caches.keys();
    const c = await caches.open(keys.find((k) => k.startsWith('ssgnet-'))!);
    return (await c.keys()).map((r) => new URL(r.url).pathname);
  });
  expect(cached.some((p) => /engine\.worker-.*\.js$/.test(p))).toBe(true);
  expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain("connect-src 'self'");

  await context.setOffline(true);
  try {
    await page.reload();
    await openApp(page);
    expect((await datasets(page)).map((d) => d.id)).toEqual(before.map((d) => d.id));
    await expect(page.getByTestId('engine-badge')).toContainText('self-test passed');
    await page.getByRole('navigation').getByRole('button', { name: 'System' }).click();
    await expect(page.getByTestId('offline-status')).toContainText('works offline');
    await shot(page, '40-offline-system');
  } finally {
    await context.setOffline(false);
  }
});
