/**
 * The headless runner: `npm run recipe -- --task <name> --data <...> [flags]` (flags in args.ts).
 * It drives the real app in headless Chromium, so every number it prints came from the same worker code
 * the UI runs. Writes DIR/report.json; exits non-zero with one clear message on any failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunnerArgs, UsageError, USAGE, withDataDefaults } from './args.ts';
import { formatSplitTable } from './print.ts';
import { openSession, waitForEngine } from './session.ts';
import { classifyReport, classifyTable, runClassify } from './tasks/classify.ts';
import { generatorReport, generatorTable, runGenerate } from './tasks/generate.ts';
import { runImport } from './tasks/import.ts';
import { exportProjectFile } from './tasks/export-project.ts';
import { runSegment, segmentReport, segmentTables } from './tasks/segment.ts';
import { estimateStages, runnerStages, type StageEstimateRow, type StageName } from './estimate.ts';
import type { BackendReport } from '../worker/protocol.ts';

const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<number> {
  let args;
  try {
    args = parseRunnerArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      log(`error: ${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const started = Date.now();
  const session = await openSession({ backend: args.backend, build: args.build, log });
  try {
    const backend = (await waitForEngine(session.page)) as BackendReport;
    log(`backend: ${adapterWords(backend)}; self-test ${backend.selfTest.passed ? 'passed' : 'FAILED'}`);
    if (backend.fallbackReason) log(`note: ${backend.fallbackReason}`);
    if (!backend.selfTest.passed) throw new Error(`the ${backend.name} backend failed its self-test: ${backend.selfTest.detail}`);

    const imported = await runImport(session.page, args, log);
    const d = imported.dataset;
    // Defaults that depend on the data (classification epochs by training-set size, as the app plans them).
    const run = withDataDefaults(args, Object.values(d.counts.train).reduce((a, b) => a + b, 0));
    mkdirSync(args.out, { recursive: true });
    const report: Record<string, unknown> = {
      task: args.task,
      dataset: {
        name: d.name,
        kind: d.kind,
        size: d.size,
        channels: d.channels,
        classes: d.classes,
        labelled: d.labelled,
        count: d.count,
        counts: d.counts,
        split_origin: d.splitOrigin,
        source: d.source,
        sha256: d.sha256,
        skipped: imported.skipped,
      },
      backend: { name: backend.name, adapter: backend.adapter, self_test: backend.selfTest, tfjs: backend.tfjsVersion, tuning: backend.tuning },
    };
    process.stdout.write(`\n${d.name}: ${d.kind}, ${d.count} images at ${d.size}x${d.size}x${d.channels}${imported.skipped.length ? `, ${imported.skipped.length} files skipped` : ''}\n`);
    process.stdout.write(`${formatSplitTable(d.counts, d.classes)}\n`);
    let testDatasetId: string | null = null;
    if (args.task === 'segment' && args.test) {
      // The external test set comes in through the same import controls, at the data's own size.
      log(`importing the external test set ${args.test}`);
      const t = await runImport(session.page, { ...args, data: args.test, size: d.size }, log);
      testDatasetId = t.dataset.id;
      report.test_dataset = { name: t.dataset.name, kind: t.dataset.kind, size: t.dataset.size, count: t.dataset.count, source: t.dataset.source, sha256: t.dataset.sha256, skipped: t.skipped };
      process.stdout.write(`\nexternal test set ${t.dataset.name}: ${t.dataset.count} images at ${t.dataset.size}x${t.dataset.size}x${t.dataset.channels} (all of them scored)\n`);
    }
    const needGenerators = args.task === 'generate' || (args.task === 'classify' && args.extra.length > 0) || (args.task === 'segment' && args.synthetic !== 0);
    let estimates: StageEstimateRow[] = [];
    if (args.estimate && args.task !== 'import') {
      const stages = runnerStages(d, run, needGenerators, testDatasetId ? ((report.test_dataset as { count: number }).count) : null);
      estimates = await estimateStages(session.page, stages, adapterWords(backend), log);
      report.estimates = estimates;
    }
    if (args.estimateOnly) {
      const path = join(args.out, 'report.json');
      writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`estimate only: nothing trained; report: ${path}\n`);
      return 0;
    }
    /** Runs one stage and records its wall-clock time beside its estimate. */
    const timed = async <T>(stage: StageName, work: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      const out = await work();
      const row = estimates.find((e) => e.stage === stage);
      if (row) row.actual_seconds = Math.round((Date.now() - t0) / 100) / 10;
      return out;
    };
    if (needGenerators) {
      log(`training ${d.labelled ? d.classes.length : 1} generator(s): preset ${args.preset}, ${args.kimg} kimg each, batch ${args.batch}`);
      const { runs, grids } = await timed('generators', () => runGenerate(session.page, d.id, args, log));
      report.generators = generatorReport(runs, grids);
      process.stdout.write(`\n${generatorTable(runs)}\n`);
    }
    if (args.task === 'classify') {
      const experiment = await timed('classification', () => runClassify(session.page, d.id, run, log));
      Object.assign(report, classifyReport(experiment, args.out));
      process.stdout.write(`\n${classifyTable(experiment)}\n`);
    }
    if (args.task === 'segment') {
      const experiment = await timed('segmentation', () => runSegment(session.page, d.id, testDatasetId, args, log));
      Object.assign(report, segmentReport(experiment, args.out));
      process.stdout.write(`\n${segmentTables(experiment)}\n`);
    }
    if (args.exportProject) {
      const p = await exportProjectFile(session.page, args.exportProject);
      report.project_file = p;
      log(`project file: ${p.path} (${(p.bytes / 1e6).toFixed(1)} MB, ${p.records} records)`);
    }
    report.seconds = Math.round((Date.now() - started) / 100) / 10;
    const path = join(args.out, 'report.json');
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`report: ${path}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * The backend and adapter in words ("webgpu, google swiftshader, software fallback"), leaving out the fields an
 * adapter reports as empty or "unknown" (Mesa lavapipe through compatibility mode reports no vendor).
 */
function adapterWords(b: BackendReport): string {
  const a = b.adapter;
  const parts: string[] = [b.name];
  if (a) {
    const named = [a.vendor, a.architecture, a.device, a.description].filter((x) => x && x !== 'unknown');
    if (named.length) parts.push(named.join(' '));
    if (a.compatibilityMode) parts.push('compatibility mode');
    if (a.isFallbackAdapter) parts.push('software fallback');
  }
  return parts.join(', ');
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    log(`error: ${err.message}`);
    process.exit(1);
  },
);
