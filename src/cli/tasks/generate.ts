/**
 * `--task generate`: trains one generator per class of the imported data through the Generators view's own
 * state (the same worker code as the UI), prints progress, then writes a sample grid PNG per class and
 * returns the run records for the report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { GeneratorRunMeta } from '../../pipeline/generator-runs.ts';
import type { RunnerArgs } from '../args.ts';

type Handle = {
  job: { progress: { stage: string; done: number; total: number; message: string; train?: { step: number; stepsPerSecond: number } } | null } | null;
  generators: {
    settings: { preset: string; kimg: number; batchSize: number; seed: number };
    lastOutcome: { ok: true; runs: GeneratorRunMeta[] } | { ok: false; code: string; message: string } | null;
    train: (datasetId: string) => Promise<void>;
  };
  engine: { call: (type: string, args: unknown) => Promise<{ png: Uint8Array }> };
};

export async function runGenerate(page: Page, datasetId: string, args: RunnerArgs, log: (s: string) => void): Promise<{ runs: GeneratorRunMeta[]; grids: Record<string, string> }> {
  await page.evaluate(
    ({ id, preset, kimg, batch, seed }) => {
      const app = (globalThis as unknown as { ssgnet: Handle }).ssgnet;
      Object.assign(app.generators.settings, { preset, kimg, batchSize: batch, seed });
      app.generators.lastOutcome = null;
      void app.generators.train(id);
    },
    { id: datasetId, preset: args.preset, kimg: args.kimg, batch: args.batch, seed: args.seed },
  );
  let last = '';
  for (;;) {
    const s = await page.evaluate(() => {
      const app = (globalThis as unknown as { ssgnet: Handle }).ssgnet;
      const p = app.job?.progress;
      return { outcome: app.generators.lastOutcome ? JSON.parse(JSON.stringify(app.generators.lastOutcome)) : null, line: p ? `${p.stage}: ${p.done}/${p.total} images, ${p.message}${p.train ? `, ${p.train.stepsPerSecond.toFixed(3)} steps/s` : ''}` : '' };
    });
    if (s.outcome) {
      if (!s.outcome.ok) throw new Error(`generator training failed (${s.outcome.code}): ${s.outcome.message}`);
      const runs = s.outcome.runs as GeneratorRunMeta[];
      const grids: Record<string, string> = {};
      for (const r of runs) {
        if (r.checkpointStep === null) continue;
        const bytes = await page.evaluate(
          async (runId) => Array.from((await (globalThis as unknown as { ssgnet: Handle }).ssgnet.engine.call('run-grid-png', { runId, seed: 0, count: 16, psi: 1 })).png),
          r.id,
        );
        const file = join(args.out, `samples-${r.className.replace(/[^a-z0-9_-]+/gi, '_')}.png`);
        writeFileSync(file, Uint8Array.from(bytes));
        grids[r.className] = file;
      }
      return { runs, grids };
    }
    if (s.line && s.line !== last) log(`  ${s.line}`);
    last = s.line;
    await page.waitForTimeout(2000);
  }
}
