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
import { formatTable } from '../print.ts';

type Handle = {
  job: { progress: { stage: string; done: number; total: number; message: string; train?: { step: number; stepsPerSecond: number } } | null } | null;
  generators: {
    settings: { preset: string; kimg: number; batchSize: number; seed: number };
    edited: boolean;
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
      app.generators.edited = true; // the runner's flags are the settings: no suggestion replaces them
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

/** report.json's `generators` rows (a contract: keep the keys). */
export function generatorReport(runs: GeneratorRunMeta[], grids: Record<string, string>) {
  return runs.map((r) => {
    const q = r.quality.at(-1);
    return {
      class: r.className,
      images_seen: r.imagesSeen,
      steps: r.step,
      seconds: Math.round(r.seconds * 10) / 10,
      kid: q?.kid ?? null,
      kid_std: q?.kidStd ?? null,
      fd: q?.fd ?? null,
      nn_copy_rate: q?.nearCopyRate ?? null,
      status: r.status,
      preset: r.preset,
      resolution: r.resolution,
      batch: r.batchSize,
      parameters: r.parameters,
      augmentation: r.augmentation,
      feature_extractor: r.featureExtractor,
      quality_n_fake: q?.nFake ?? null,
      quality_n_real: q?.nReal ?? null,
      quality: r.quality,
      samples_png: grids[r.className] ?? null,
    };
  });
}

/** One line per generator: length, time and quality at the start and the end. */
export function generatorTable(runs: GeneratorRunMeta[]): string {
  const f = (x: number | undefined, k = 1) => (x === undefined ? '-' : (x * k).toFixed(2));
  return formatTable(
    ['class', 'kimg', 'steps', 'seconds', 'KID x1e3 (start)', 'KID x1e3 (end)', '± std', 'FD (end)', 'near-copies'],
    runs.map((r) => [r.className, (r.imagesSeen / 1000).toFixed(3), r.step, r.seconds.toFixed(0), f(r.quality[0]?.kid, 1000), f(r.quality.at(-1)?.kid, 1000), f(r.quality.at(-1)?.kidStd, 1000), f(r.quality.at(-1)?.fd), `${f(r.quality.at(-1)?.nearCopyRate, 100)}%`]),
  );
}
