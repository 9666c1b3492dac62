/**
 * Generator training as the UI sees it: the stored runs, the live state of the one training job (latest
 * counters, curve points, fresh sample grids) and the sampling tools (truncation, interpolation, gallery,
 * export). All work happens in the engine; this class only asks and keeps the answers.
 */
import type { GanPresetName, GanResolution } from '../models/generator-config.ts';
import type { FaultKind } from '../pipeline/fault-injection.ts';
import type { GeneratorRunMeta } from '../pipeline/generator-runs.ts';
import type { SampleGrid } from '../pipeline/sample-grid.ts';
import type { TrainGeneratorsOptions, TrainTick } from '../pipeline/train-generators.ts';
import type { AppState } from './app.svelte.ts';
import { downloadBytes } from './download.ts';

export interface TrainSettings {
  preset: GanPresetName;
  kimg: number;
  resolution: GanResolution | 0;
  batchSize: number;
  seed: number;
  /** FD/KID measurement: extractor epochs, generated samples per measurement, kimg between measurements (0 = a quarter of the run). */
  quality: { extractorEpochs: number; nFake: number; everyKimg: number };
}

export class GeneratorsState {
  runs = $state.raw<GeneratorRunMeta[]>([]);
  /** Latest tick per run id while training. */
  live = $state.raw<Record<string, TrainTick>>({});
  /** Latest sample grid per run id (from training ticks, or loaded from the checkpoint). */
  grids = $state.raw<Record<string, SampleGrid>>({});
  settings = $state<TrainSettings>({ preset: 'fast', kimg: 2, resolution: 0, batchSize: 16, seed: 0, quality: { extractorEpochs: 8, nFake: 256, everyKimg: 0 } });
  /** True once the user (or the runner) set a training setting by hand: suggested settings no longer replace them. */
  edited = $state(false);
  /** Whether the samples explorer was opened in this page (the workflow's "synthetic samples" step). */
  samplesSeen = $state(false);
  /** How the last training job ended, for the runner and tests. */
  lastOutcome = $state.raw<{ ok: true; runs: GeneratorRunMeta[] } | { ok: false; code: string; message: string } | null>(null);

  constructor(private readonly app: AppState) {}

  runsFor(datasetId: string | null): GeneratorRunMeta[] {
    return this.runs.filter((r) => r.datasetId === datasetId);
  }

  async refresh(): Promise<void> {
    this.runs = await this.app.engine.call('list-generator-runs', {});
  }

  /** The dataset's runs left unfinished (stopped, paused, interrupted or still queued). */
  unfinished(datasetId: string | null): GeneratorRunMeta[] {
    return this.runsFor(datasetId).filter((r) => r.status !== 'done' && r.status !== 'failed');
  }

  /** Puts a run's own settings in the panel (a resume must match them, or it would start new runs). */
  adoptSettingsOf(run: GeneratorRunMeta): void {
    Object.assign(this.settings, { preset: run.preset, kimg: run.kimgTarget, resolution: run.resolution, batchSize: run.batchSize, seed: run.seed });
    this.edited = true;
  }

  /** Continues the unfinished runs from their last checkpoints, with their own settings. */
  async resume(datasetId: string): Promise<void> {
    const [first, ...rest] = this.unfinished(datasetId);
    if (!first) return;
    this.adoptSettingsOf(first);
    const same = [first, ...rest].filter((r) => r.preset === first.preset && r.resolution === first.resolution && r.batchSize === first.batchSize && r.seed === first.seed);
    const classes = same.map((r) => r.classIndex).filter((c): c is number => c !== null);
    await this.train(datasetId, classes.length ? classes : undefined);
  }

  /** Trains (or resumes) one generator per class of the dataset, with the panel's settings. */
  async train(datasetId: string, classes?: number[]): Promise<void> {
    const s = this.settings;
    const options: TrainGeneratorsOptions = {
      datasetId,
      preset: s.preset,
      kimg: s.kimg,
      batchSize: s.batchSize,
      seed: s.seed,
      quality: { extractorEpochs: s.quality.extractorEpochs, nFake: s.quality.nFake },
      ...(s.quality.everyKimg > 0 ? { qualityEveryKimg: s.quality.everyKimg } : {}),
      ...(s.resolution ? { resolution: s.resolution } : {}),
      ...(classes ? { classes } : {}),
    };
    this.lastOutcome = null;
    const outcome = await this.app.runJob('Training generators', (onProgress) =>
      this.app.engine.start('train-generators', { options }, (p) => {
        onProgress(p);
        if (p.train) this.onTick(p.train);
      }),
    );
    await Promise.all([this.refresh(), this.app.speed.refresh().catch(() => undefined)]); // a run's own speed replaces a probe's
    this.lastOutcome = outcome.ok ? { ok: true, runs: outcome.value.runs } : outcome;
    // The final records carry what ticks do not (closest pairs, extractor description).
    if (outcome.ok) this.runs = this.runs.map((r) => outcome.value.runs.find((x) => x.id === r.id) ?? r);
    const paused = outcome.ok ? outcome.value.runs.find((r) => r.status === 'paused' && /NaN|GPU/.test(r.message)) : undefined;
    if (paused) this.app.notice = { kind: 'error', text: `${paused.className}: ${paused.message}` };
  }

  private onTick(t: TrainTick): void {
    this.live = { ...this.live, [t.runId]: t };
    if (t.samples) this.grids = { ...this.grids, [t.runId]: t.samples };
    const i = this.runs.findIndex((r) => r.id === t.runId);
    if (i < 0) {
      void this.refresh(); // a run created by this job: fetch its record once
      return;
    }
    const r = this.runs[i]!;
    const updated: GeneratorRunMeta = {
      ...r,
      status: t.status,
      step: t.step,
      imagesSeen: t.imagesSeen,
      kimgTarget: t.kimgTarget,
      message: t.message,
      curve: t.point ? [...r.curve, t.point] : r.curve,
      quality: t.quality ? [...r.quality.filter((q) => q.step !== t.quality!.step), t.quality] : r.quality,
    };
    this.runs = this.runs.map((x, k) => (k === i ? updated : x));
  }

  async loadGrid(runId: string): Promise<void> {
    if (this.grids[runId]) return;
    const grid = await this.app.engine.call('sample-run', { runId, firstSeed: 0, count: 16, psi: 1 });
    this.grids = { ...this.grids, [runId]: grid };
  }

  sample(runId: string, firstSeed: number, count: number, psi: number) {
    return this.app.engine.call('sample-run', { runId, firstSeed, count, psi });
  }

  interpolate(runId: string, seedA: number, seedB: number, steps: number, psi: number) {
    return this.app.engine.call('interpolate-run', { runId, seedA, seedB, steps, psi });
  }

  /** Builds the zip in the engine and hands it to the browser as a download (a blob: URL, same origin). */
  async exportZip(runId: string, firstSeed: number, count: number, psi: number): Promise<void> {
    const { zip, fileName } = await this.app.engine.call('export-samples', { runId, firstSeed, count, psi });
    downloadBytes(zip, fileName, 'application/zip');
  }

  /** The run's EMA generator in tfjs's weights format (model.json + weights.bin in a zip). */
  async exportModel(runId: string): Promise<void> {
    try {
      const { zip, fileName } = await this.app.engine.call('export-generator-model', { runId });
      downloadBytes(zip, fileName, 'application/zip');
    } catch (err) {
      this.app.notice = { kind: 'error', text: (err as Error).message };
    }
  }

  /**
   * For tests only (no control in the UI calls it; e2e tests reach it through `globalThis.ssgnet`): makes the
   * engine fail the way a real run can, so the pause-at-the-last-good-checkpoint path is exercised for real.
   * 'nan' poisons a weight before the next training step; 'device-lost' destroys the WebGPU device now.
   */
  injectFault(kind: FaultKind) {
    return this.app.engine.call('inject-fault', { kind });
  }

  async remove(runId: string): Promise<void> {
    await this.app.engine.call('delete-generator-run', { runId });
    await this.refresh();
  }
}
