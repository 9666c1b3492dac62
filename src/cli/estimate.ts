/**
 * The runner's estimate before it trains: for each stage the task will run (generators, classification,
 * segmentation), the app's own speed probe times a few real training steps of that stage's model on this
 * adapter (speed-probe.ts, the same one the views use), and job-estimate.ts turns the figure into a duration
 * with the words saying what was counted. The runner prints them before the first stage starts and records
 * each stage's actual time beside its estimate in report.json (`estimates`), so a script can see how far off
 * they were. `--estimate-only` stops after printing; `--no-estimate` skips the probes.
 */
import type { Page } from 'playwright-core';
import type { DatasetMeta } from '../data/store-types.ts';
import { estimateClassify, estimateGan, estimateSegment, formatDuration, type Estimate } from '../pipeline/job-estimate.ts';
import type { SpeedJob, SpeedRecord } from '../pipeline/speed-job.ts';
import type { ResolvedArgs } from './args.ts';

export type StageName = 'generators' | 'classification' | 'segmentation';

export interface StagePlan {
  stage: StageName;
  job: SpeedJob;
  estimate: (msPerImage: number) => Estimate;
}

/** One row of report.json's `estimates` (a contract: extend, never rename). */
export interface StageEstimateRow {
  stage: StageName;
  /** null when the probe failed (the reason is in `basis`). */
  seconds: number | null;
  upper_bound: boolean;
  counted: string;
  ms_per_image: number | null;
  source: 'probe' | null;
  basis: string;
  /** Filled in when the stage has run. */
  actual_seconds: number | null;
}

const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/**
 * The stages a task runs, with the job each one trains, built from the runner's flags the same way the
 * views build them from their settings. `testCount`: images of an external test set (segment --test).
 */
export function runnerStages(d: DatasetMeta, args: ResolvedArgs, needGenerators: boolean, testCount: number | null): StagePlan[] {
  const stages: StagePlan[] = [];
  if (needGenerators) {
    const classCounts = d.labelled ? d.classes.map((c) => d.counts.train[c] ?? 0) : [total(d.counts.train)];
    const job: SpeedJob = { kind: 'gan', preset: args.preset, resolution: d.size <= 32 ? 32 : 64, channels: d.channels, batchSize: args.batch };
    stages.push({ stage: 'generators', job, estimate: (ms) => estimateGan(ms, { classCounts, kimgPerClass: args.kimg, batchSize: args.batch }) });
  }
  if (args.task === 'classify') {
    const job: SpeedJob = { kind: 'classify', preset: args.classifier, size: d.size, channels: d.channels, numClasses: d.classes.length, batchSize: args.clsBatch };
    const size = {
      trainCounts: d.classes.map((c) => d.counts.train[c] ?? 0),
      valCount: total(d.counts.val),
      testCount: total(d.counts.test),
      seeds: args.seeds,
      baseline: true,
      extras: args.extra,
      epochs: args.epochs,
    };
    stages.push({ stage: 'classification', job, estimate: (ms) => estimateClassify(ms, size) });
  }
  if (args.task === 'segment') {
    const job: SpeedJob = { kind: 'segment', model: args.model, preset: args.segPreset, size: d.size, channels: d.channels, batchSize: args.segBatch, loss: args.loss };
    const train = total(d.counts.train);
    const size = {
      train,
      val: total(d.counts.val),
      test: testCount ?? total(d.counts.test),
      synthetic: args.rounds > 0 ? (args.synthetic ?? train) : 0,
      rounds: args.rounds,
      epochs: args.segEpochs,
    };
    stages.push({ stage: 'segmentation', job, estimate: (ms) => estimateSegment(ms, size) });
  }
  return stages;
}

const MODEL_WORD: Record<StageName, string> = { generators: 'generator', classification: 'classifier', segmentation: 'segmenter' };

type Handle = { speed: { measure: (job: SpeedJob) => Promise<SpeedRecord | null> } };

/** Runs each stage's probe in the page and prints one line per stage, then the total. */
export async function estimateStages(page: Page, stages: StagePlan[], adapter: string, log: (s: string) => void): Promise<StageEstimateRow[]> {
  const rows: StageEstimateRow[] = [];
  for (const s of stages) {
    log(`estimate: timing a few ${MODEL_WORD[s.stage]} training steps on random data…`);
    const record = await page.evaluate(async (job) => {
      const r = await (globalThis as unknown as { ssgnet: Handle }).ssgnet.speed.measure(job);
      return r ? JSON.parse(JSON.stringify(r)) : null;
    }, s.job);
    if (!record) {
      rows.push({ stage: s.stage, seconds: null, upper_bound: false, counted: '', ms_per_image: null, source: null, basis: 'the speed probe failed or was cancelled', actual_seconds: null });
      log(`estimate: ${s.stage}: unavailable (the speed probe failed)`);
      continue;
    }
    const r = record as SpeedRecord;
    const e = s.estimate(r.msPerImage);
    rows.push({ stage: s.stage, seconds: Math.round(e.seconds), upper_bound: e.upperBound, counted: e.counted, ms_per_image: Math.round(r.msPerImage * 100) / 100, source: 'probe', basis: r.basis, actual_seconds: null });
    log(`estimate: ${s.stage} ${e.upperBound ? 'at most' : 'about'} ${formatDuration(e.seconds)}: ${e.counted}; ${(r.msPerImage / 1000).toFixed(3)} s per training image (${r.basis}) on ${adapter}`);
  }
  const known = rows.filter((r) => r.seconds !== null);
  if (known.length > 1) log(`estimate: in all ${known.some((r) => r.upper_bound) ? 'at most ' : 'about '}${formatDuration(known.reduce((a, r) => a + (r.seconds ?? 0), 0))}`);
  return rows;
}
