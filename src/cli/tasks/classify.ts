/**
 * `--task classify`: the classification experiment through the Classify view's own state (the same worker
 * code as the UI), after the generators were trained by the generate step. Prints progress, then the
 * paper-layout table; writes the confusion-matrix PNG and the results CSV beside report.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pairedDifference, pct, reportRows, reportSummary, resultsCsv, summariseArms, type ClassifyExperiment } from '../../pipeline/classify-record.ts';
import type { ResolvedArgs } from '../args.ts';
import { formatTable } from '../print.ts';

type Handle = {
  job: { progress: { message: string; done: number; total: number } | null } | null;
  classify: {
    settings: Record<string, unknown>;
    edited: boolean;
    lastOutcome: { ok: true; experiment: ClassifyExperiment } | { ok: false; code: string; message: string } | null;
    run: (datasetId: string) => Promise<void>;
    confusionPng: (e: ClassifyExperiment) => Promise<Uint8Array>;
  };
};

export async function runClassify(page: Page, datasetId: string, args: ResolvedArgs, log: (s: string) => void): Promise<ClassifyExperiment> {
  const settings = {
    preset: args.classifier,
    seeds: args.seeds,
    baseline: true,
    extras: args.extra.join(', '),
    training: { epochs: args.epochs, batchSize: args.clsBatch, learningRate: args.lr, augment: true, classWeights: 'none', patience: args.patience },
    psi: args.psi,
  };
  log(`classification: ${args.classifier} classifier, ${args.seeds} seed(s), arms baseline${args.extra.map((x) => ` + ssgnet ${x}`).join('')}, at most ${args.epochs} epochs each`);
  await page.evaluate(
    ({ id, s }) => {
      const app = (globalThis as unknown as { ssgnet: Handle }).ssgnet;
      Object.assign(app.classify.settings, s);
      app.classify.edited = true; // the runner's flags are the settings: no suggestion replaces them
      app.classify.lastOutcome = null;
      void app.classify.run(id);
    },
    { id: datasetId, s: settings },
  );
  let last = '';
  for (;;) {
    const s = await page.evaluate(() => {
      const app = (globalThis as unknown as { ssgnet: Handle }).ssgnet;
      const o = app.classify.lastOutcome;
      return { outcome: o ? JSON.parse(JSON.stringify(o)) : null, line: app.job?.progress?.message ?? '' };
    });
    if (s.outcome) {
      if (!s.outcome.ok) throw new Error(`the classification experiment failed (${s.outcome.code}): ${s.outcome.message}`);
      const e = s.outcome.experiment as ClassifyExperiment;
      if (e.status !== 'done') throw new Error(`the classification experiment ended "${e.status}": ${e.message}`);
      const png = await page.evaluate(async (exp) => Array.from(await (globalThis as unknown as { ssgnet: Handle }).ssgnet.classify.confusionPng(exp)), e);
      writeFileSync(join(args.out, 'confusion.png'), Uint8Array.from(png));
      writeFileSync(join(args.out, 'classification.csv'), resultsCsv(e));
      return e;
    }
    if (s.line && s.line !== last) log(`  ${s.line}`);
    last = s.line;
    await page.waitForTimeout(2000);
  }
}

/** report.json's classification keys (a contract: `classification` rows and `summary` per arm; extend, never rename). */
export function classifyReport(e: ClassifyExperiment, out: string) {
  const acc = pairedDifference(e, 'accuracy');
  const f1 = pairedDifference(e, 'macroF1');
  return {
    classification: reportRows(e),
    summary: reportSummary(e),
    classification_difference: acc && f1 ? { accuracy_mean: acc.mean, accuracy_std: acc.std, macro_f1_mean: f1.mean, macro_f1_std: f1.std, seeds: acc.n, ssgnet_wins_accuracy: acc.wins } : null,
    classification_setup: {
      classifier: e.options.preset,
      parameters: e.parameters,
      seeds: e.options.seeds,
      extras: e.options.extras,
      training: e.options.training,
      psi: e.options.psi,
      split_sizes: e.splitSizes,
      backend: e.backend,
      generators: e.generators,
      seconds: Math.round(e.seconds * 10) / 10,
      confusion_png: join(out, 'confusion.png'),
      csv: join(out, 'classification.csv'),
    },
  };
}

/** The paper's layout: accuracy / macro-F1 per arm (mean ± std over seeds), and the paired difference. */
export function classifyTable(e: ClassifyExperiment): string {
  const rows = summariseArms(e).map((s) => [s.label, s.runs, pct(s.accuracy), pct(s.macroF1), pct(s.auc)]);
  const table = formatTable(['arm', 'seeds', 'accuracy %', 'macro-F1 %', 'AUC %'], rows);
  const acc = pairedDifference(e, 'accuracy');
  const f1 = pairedDifference(e, 'macroF1');
  if (!acc || !f1) return table;
  const pm = (m: { mean: number; std: number }) => `${m.mean >= 0 ? '+' : ''}${(100 * m.mean).toFixed(1)}${Number.isNaN(m.std) ? '' : ` ± ${(100 * m.std).toFixed(1)}`}`;
  const within = acc.n >= 2 && Math.abs(acc.mean) <= acc.std ? ' (within the seed-to-seed spread)' : '';
  return `${table}\n\nssgnet - baseline, paired by seed (${acc.n}): accuracy ${pm(acc)} points${within}, macro-F1 ${pm(f1)} points; ssgnet better on accuracy in ${acc.wins} of ${acc.n}.`;
}
