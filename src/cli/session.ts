/**
 * A headless session of the real app: build it, serve dist/ on a free loopback port with the app's CSP,
 * open it in Chromium with WebGPU enabled, and hand back the page. The runner and the e2e tests both
 * drive the page through `globalThis.ssgnet`, the same AppState object the UI's components use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { chromiumArgs, findChromium } from './chromium.ts';
import type { BackendChoice } from '../worker/protocol.ts';

export interface Session {
  page: Page;
  url: string;
  close: () => Promise<void>;
}

export async function openSession(opts: { backend: BackendChoice; build: boolean; log: (s: string) => void }): Promise<Session> {
  const root = new URL('../..', import.meta.url).pathname;
  if (opts.build) {
    opts.log('building the app…');
    await build({ root, logLevel: 'error' });
  }
  const server: PreviewServer = await preview({ root, logLevel: 'warn', preview: { port: 0, strictPort: false, open: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('the preview server did not report a port');
  const url = `http://127.0.0.1:${address.port}/`;
  // A fresh profile per run: the runner's imports never mix with a user's own browser data.
  const profile = mkdtempSync(join(tmpdir(), 'ssgnet-runner-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: findChromium(), args: chromiumArgs(), headless: true });
  } catch (err) {
    await server.close();
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => opts.log(`page error: ${e.message}`));
  await page.goto(`${url}?backend=${opts.backend}&nodemo=1`);
  return {
    page,
    url,
    close: async () => {
      await context.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the engine has chosen a backend (or failed to), and returns its report. */
export async function waitForEngine(page: Page): Promise<unknown> {
  await page.waitForFunction(
    () => {
      const app = (globalThis as unknown as { ssgnet?: { backend: unknown; engineFailed: boolean } }).ssgnet;
      return app && (app.backend !== null || app.engineFailed);
    },
    null,
    { timeout: 180_000, polling: 250 },
  );
  return page.evaluate(() => {
    const app = (globalThis as unknown as { ssgnet: { backend: unknown; engineMessage: string } }).ssgnet;
    if (!app.backend) throw new Error(`the engine failed to start: ${app.engineMessage}`);
    return JSON.parse(JSON.stringify(app.backend));
  });
}
