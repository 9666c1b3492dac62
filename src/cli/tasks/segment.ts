/**
 * `--task segment`: the pseudo-labelling rounds through the Segment view's own state (the same worker code
 * as the UI), after the generators were trained by the generate step. Prints progress, then the progression
 * table (initial -> round 1 -> round 2) and baseline vs final; writes the per-round CSV beside report.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { baselineVsFinalRows, PROGRESSION_HEADER, progressionLine, progressionRows, segmentCsv, segmentReportRows, type SegmentExperiment } from '../../pipeline/seg-rounds-record.ts';
import type { RunnerArgs } from '../args.ts';
import { formatTable } from '../print.ts';

type Handle = {
  job: { progress: { message: string } | null } | null;
  segment: {
    settings: Record<string, unknown>;
    edited: boolean;
    lastOutcome: { ok: true; experiment: SegmentExperiment } | { ok: false; code: string; message: string } | null;
    run: (datasetId: string) => Promise<unknown>;
  };
};

export async function runSegment(page: Page, datasetId: string, testDatasetId: string | null, args: RunnerArgs, log: (s: string) => void): Promise<SegmentExperiment> {
  const settings = {
    model: args.model,
    preset: args.segPreset,
    loss: args.loss,
    rounds: args.rounds,
    syntheticCount: args.synthetic,
    threshold: args.threshold,
    weighting: args.weighting,
    training: { epochs: args.segEpochs, batchSize: args.segBatch, learningRate: args.segLr, augment: true },
    psi: args.psi,
    seed: args.seed,
    testDatasetId,
  };
  log(`segmentation: ${args.segPreset} ${args.model === 'vmunet' ? 'VM-UNet-lite' : 'U-Net'}, ${args.loss} loss, round 0 (real only) + ${args.rounds} pseudo-label round(s), ${args.segEpochs} epochs each, threshold ${args.threshold}, ${args.weighting} weights`);
  await page.evaluate(
    ({ id, s }) => {
      const app = (globalThis as unknown as { ssgnet: Handle }).ssgnet;
      Object.assign(app.segment.settings, s);
      app.segment.edited = true; // the runner's flags are the settings: no suggestion replaces them
      app.segment.lastOutcome = null;
      void app.segment.run(id);
    },
    { id: datasetId, s: settings },
  );
  let last = '';
  for (;;) {
    const s = await page.evaluate(() => {
      const app = (globalThis as unknown as { ssgnet: Handle }).ssgnet;
      const o = app.segment.lastOutcome;
      return { outcome: o ? JSON.parse(JSON.stringify(o)) : null, line: app.job?.progress?.message ?? '' };
    });
    if (s.outcome) {
      if (!s.outcome.ok) throw new Error(`the segmentation experiment failed (${s.outcome.code}): ${s.outcome.message}`);
      const e = s.outcome.experiment as SegmentExperiment;
      if (e.status !== 'done') throw new Error(`the segmentation experiment ended "${e.status}": ${e.message}`);
      writeFileSync(join(args.out, 'segmentation.csv'), segmentCsv(e));
      return e;
    }
    if (s.line && s.line !== last) log(`  ${s.line}`);
    last = s.line;
    await page.waitForTimeout(2000);
  }
}

/** report.json's segmentation keys (a contract: `segmentation` rows, round 0 = baseline; extend, never rename). */
export function segmentReport(e: SegmentExperiment, out: string) {
  return {
    segmentation: segmentReportRows(e),
    segmentation_setup: {
      experiment: e.id,
      model: e.options.model,
      preset: e.options.preset,
      parameters: e.rounds[0]?.parameters ?? null,
      loss: e.options.loss,
      rounds: e.options.rounds,
      threshold: e.options.threshold,
      weighting: e.options.weighting,
      training: e.options.training,
      psi: e.options.psi,
      seed: e.options.seed,
      split_sizes: e.splitSizes,
      test_source: e.testSource,
      synthetic: e.synthetic,
      metrics_note: 'pooled over all test pixels at p >= 0.5; miou = foreground IoU (VM-UNet), miou_classmean = mean of background and foreground IoU',
      retraining: 'each round trains a fresh segmenter from the same initial weights (from scratch, as the paper)',
      backend: e.backend,
      seconds: Math.round(e.seconds * 10) / 10,
      csv: join(out, 'segmentation.csv'),
    },
  };
}

/** The progression table (one row per round) and baseline vs final. */
export function segmentTables(e: SegmentExperiment): string {
  const progression = formatTable(PROGRESSION_HEADER, progressionRows(e));
  const final = formatTable(['metric %', 'baseline (round 0)', `final (round ${e.rounds.length - 1})`, 'change (points)'], baselineVsFinalRows(e));
  return `pseudo-label rounds on ${e.testSource} (mIoU: ${progressionLine(e, 'miou')}):\n${progression}\n\nbaseline vs final:\n${final}`;
}
