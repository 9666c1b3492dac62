/**
 * The harness's `segment` task: the pseudo-label rounds (RECIPE §4) on a dataset that came in an app project
 * file (`npm run recipe -- --task import --data <folder> --size 64 --export-project FILE` makes one in the
 * browser, where the images can be decoded), through the app's own runSegmentExperiment, after training the
 * dataset's generator with trainGenerators when the rounds need synthetic images. Writes the same
 * `segmentation` rows and CSV as the runner, and prints the same tables.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { importProject } from '../../src/data/project-store.ts';
import { listDatasets } from '../../src/data/store.ts';
import type { GanPresetName } from '../../src/models/generator-config.ts';
import type { UNetPresetName } from '../../src/models/unet-config.ts';
import { runSegmentExperiment } from '../../src/pipeline/seg-experiment.ts';
import { segmentCsv, type SegmentExperiment } from '../../src/pipeline/seg-rounds-record.ts';
import { trainGenerators } from '../../src/pipeline/train-generators.ts';
import type { SegLossName } from '../../src/train/adaptive-kappa.ts';
import { segmentReport, segmentTables } from '../../src/cli/tasks/segment.ts';

export interface SegmentTaskArgs {
  out: string;
  /** An app project file holding the segmentation dataset (with train, val and test splits). */
  project: string;
  model: 'unet' | 'vmunet';
  preset: UNetPresetName;
  loss: SegLossName;
  epochs: number;
  batch: number;
  lr: number;
  rounds: number;
  /** Synthetic images to pseudo-label (null: as many as the real training images). */
  synthetic: number | null;
  /** The generator the rounds draw from, when they need one. */
  genPreset: GanPresetName;
  genKimg: number;
}

export async function segmentTask(a: SegmentTaskArgs, log: (s: string) => void): Promise<Record<string, unknown>> {
  const imported = await importProject(new Uint8Array(readFileSync(a.project)), basename(a.project));
  const dataset = (await listDatasets()).find((d) => d.kind === 'segmentation');
  if (!dataset) throw new Error(`${a.project} holds no segmentation dataset (added: ${JSON.stringify(imported.added)})`);
  log(`project ${basename(a.project)}: "${dataset.name}", ${dataset.count} images at ${dataset.size} px, splits ${JSON.stringify(dataset.counts)}`);
  const controller = new AbortController();
  if (a.rounds > 0 && a.synthetic !== 0) {
    log(`generator: ${a.genPreset} for ${a.genKimg} kimg on all training images`);
    let last = 0;
    const [run] = await trainGenerators({ datasetId: dataset.id, preset: a.genPreset, kimg: a.genKimg, checkpointSeconds: 120, sampleSeconds: 1e9, quality: false }, controller.signal, (t) => {
      if (performance.now() - last > 30_000) {
        last = performance.now();
        log(`  generator step ${t.step}, ${(t.imagesSeen / 1000).toFixed(2)} kimg, ${t.stepsPerSecond.toFixed(2)} steps/s`);
      }
    });
    log(`generator: ${run?.status}, ${run?.imagesSeen} images in ${run?.seconds.toFixed(0)} s`);
  }
  let lastLine = '';
  const e: SegmentExperiment = await runSegmentExperiment(
    {
      datasetId: dataset.id,
      model: a.model,
      preset: a.preset,
      loss: a.loss,
      threshold: 0,
      weighting: 'uniform',
      training: { epochs: a.epochs, batchSize: a.batch, learningRate: a.lr, augment: true },
      rounds: a.rounds,
      syntheticCount: a.rounds === 0 ? 0 : a.synthetic,
      psi: 1,
      seed: 42,
      testDatasetId: null,
    },
    controller.signal,
    (t) => {
      const line = `  round ${t.round}/${t.lastRound} epoch ${t.epoch}/${t.epochs}: ${t.message}`;
      if (line !== lastLine) log(line);
      lastLine = line;
    },
  );
  if (e.status !== 'done') throw new Error(`the experiment ended "${e.status}": ${e.message}`);
  writeFileSync(join(a.out, 'segmentation.csv'), segmentCsv(e));
  const tables = segmentTables(e);
  log(`\n${tables}`);
  return { ...segmentReport(e, a.out), segmentation_tables: tables };
}
