/**
 * `--task import`: brings the data in through the page's own import controls (the file or folder input the
 * user would use, or the phantom button's request), waits for the outcome while printing progress, and
 * returns the dataset record the app stored.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { ImportOutcome } from '../../state/app.svelte.ts';
import type { RunnerArgs } from '../args.ts';

type AppHandle = {
  lastImport: ImportOutcome | null;
  job: { title: string; progress: { stage: string; done: number; total: number; message: string } | null } | null;
  importSettings: { size: number; seed: number };
  importPhantom: (o: unknown) => Promise<unknown>;
};

export async function runImport(page: Page, args: RunnerArgs, log: (s: string) => void): Promise<Extract<ImportOutcome, { ok: true }>['result']> {
  await page.evaluate(({ size, seed }) => {
    const app = (globalThis as unknown as { ssgnet: AppHandle }).ssgnet;
    app.lastImport = null;
    app.importSettings.size = size;
    app.importSettings.seed = seed;
  }, { size: args.size, seed: args.seed });

  if (args.data === 'phantom') {
    await page.evaluate(
      (o) => void (globalThis as unknown as { ssgnet: AppHandle }).ssgnet.importPhantom(o),
      { size: args.size || 64, count: args.count, seed: args.seed, name: `Phantom (seed ${args.seed})` },
    );
  } else {
    const path = resolve(args.data);
    if (!existsSync(path)) throw new Error(`--data ${args.data}: no such file or folder.`);
    const input = statSync(path).isDirectory() ? '[data-testid=folder-input]' : '[data-testid=file-input]';
    await page.setInputFiles(input, path);
  }

  let lastLine = '';
  for (;;) {
    const state = await page.evaluate(() => {
      const app = (globalThis as unknown as { ssgnet: AppHandle }).ssgnet;
      return { outcome: app.lastImport ? JSON.parse(JSON.stringify(app.lastImport)) : null, progress: app.job?.progress ?? null };
    });
    if (state.outcome) {
      const outcome = state.outcome as ImportOutcome;
      if (!outcome.ok) throw new Error(`import failed (${outcome.code}): ${outcome.message}`);
      return outcome.result;
    }
    const p = state.progress;
    if (p) {
      const line = `${p.stage} ${p.done}/${p.total} ${p.message}`;
      if (line !== lastLine) log(`  ${line}`);
      lastLine = line;
    }
    await page.waitForTimeout(500);
  }
}
