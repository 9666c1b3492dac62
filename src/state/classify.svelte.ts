/**
 * The classification experiment as the UI sees it: stored experiments, the live one (its ticks and growing
 * curves), the settings panel, and the exports (results as JSON / CSV / PNG, the enhanced dataset as .npz or
 * zip). All training happens in the engine; this class only asks and keeps the answers.
 */
import type { ClassifierPresetName } from '../models/classifier-config.ts';
import { DEFAULT_CLASSIFY_TRAINING, reportRows, reportSummary, resultsCsv, type ArmResult, type ClassifyExperiment, type ClassifyExperimentOptions, type ClassifyTrainingSettings, type EpochPoint } from '../pipeline/classify-record.ts';
import type { ClassifyTick } from '../pipeline/classify-experiment.ts';
import type { ProgressEvent } from '../worker/protocol.ts';
import type { AppState } from './app.svelte.ts';
import { confusionPng } from './confusion-png.ts';
import { downloadBytes, safeName } from './download.ts';

export interface ClassifySettings {
  preset: ClassifierPresetName;
  /** Number of seeds (0, 1, ..., K-1). */
  seeds: number;
  baseline: boolean;
  /** Comma-separated synthetic fractions, e.g. "0.5" or "0.5, 1". */
  extras: string;
  training: ClassifyTrainingSettings;
  psi: number;
}

/** The live experiment: the latest tick and the curve of each run so far, keyed "arm|extra|seed". */
export interface LiveExperiment {
  tick: ClassifyTick;
  curves: Record<string, EpochPoint[]>;
  results: ArmResult[];
}

export const runKey = (r: { arm: string; extra: number; seed: number }) => `${r.arm}|${r.extra}|${r.seed}`;

/** "0.5, 1" -> [0.5, 1]; throws with a message naming the bad part. */
export function parseExtras(s: string): number[] {
  const parts = s.split(/[,\s]+/).filter(Boolean);
  return parts.map((p) => {
    const x = Number(p.replace('%', '')) / (p.endsWith('%') ? 100 : 1);
    if (!Number.isFinite(x) || x < 0) throw new Error(`"${p}" is not a synthetic fraction (write 0.5 or 50%).`);
    return x;
  });
}

export class ClassifyState {
  experiments = $state.raw<ClassifyExperiment[]>([]);
  live = $state.raw<LiveExperiment | null>(null);
  settings = $state<ClassifySettings>({ preset: 'small', seeds: 3, baseline: true, extras: '0.5', training: { ...DEFAULT_CLASSIFY_TRAINING }, psi: 1 });
  /** True once a setting was changed by hand (or by the runner): suggested settings no longer replace them. */
  edited = $state(false);
  /** How the last experiment ended, for the runner and tests. */
  lastOutcome = $state.raw<{ ok: true; experiment: ClassifyExperiment } | { ok: false; code: string; message: string } | null>(null);

  constructor(private readonly app: AppState) {}

  experimentsFor(datasetId: string | null): ClassifyExperiment[] {
    return this.experiments.filter((e) => e.datasetId === datasetId);
  }

  async refresh(): Promise<void> {
    this.experiments = await this.app.engine.call('list-classify-experiments', {});
  }

  /** The panel's settings as engine options (throws on a malformed fraction list). */
  options(datasetId: string): ClassifyExperimentOptions {
    const s = this.settings;
    return {
      datasetId,
      preset: s.preset,
      seeds: Array.from({ length: Math.max(0, Math.floor(s.seeds)) }, (_, i) => i),
      baseline: s.baseline,
      extras: parseExtras(s.extras),
      training: { ...s.training },
      psi: s.psi,
    };
  }

  async run(datasetId: string): Promise<void> {
    let options: ClassifyExperimentOptions;
    try {
      options = this.options(datasetId);
    } catch (err) {
      this.app.notice = { kind: 'error', text: (err as Error).message };
      this.lastOutcome = { ok: false, code: 'bad-input', message: (err as Error).message };
      return;
    }
    await this.follow((onTick) => this.app.engine.start('classify-experiment', { options }, onTick));
  }

  /** Runs what a stopped or interrupted experiment had left; its finished runs stay as they are. */
  async resume(experimentId: string): Promise<void> {
    await this.follow((onTick) => this.app.engine.start('classify-resume', { experimentId }, onTick));
  }

  /** Runs one experiment request as the visible job, drawing its ticks live, and keeps how it ended. */
  private async follow(start: (onProgress: (p: ProgressEvent) => void) => { id: number; promise: Promise<ClassifyExperiment>; cancel: () => void }): Promise<void> {
    this.lastOutcome = null;
    this.live = null;
    const outcome = await this.app.runJob('Classification experiment', (onProgress) =>
      start((p) => {
        onProgress(p);
        if (p.classify) this.onTick(p.classify);
      }),
    );
    await this.refresh();
    this.lastOutcome = outcome.ok ? { ok: true, experiment: outcome.value } : outcome;
    if (outcome.ok && outcome.value.status === 'stopped') this.app.notice = { kind: 'info', text: outcome.value.message };
  }

  private onTick(t: ClassifyTick): void {
    const prev = this.live && this.live.tick.experimentId === t.experimentId ? this.live : { tick: t, curves: {}, results: [] };
    const key = runKey(t);
    const curves = t.point ? { ...prev.curves, [key]: [...(prev.curves[key] ?? []), t.point] } : prev.curves;
    this.live = { tick: t, curves, results: t.result ? [...prev.results, t.result] : prev.results };
  }

  async remove(id: string): Promise<void> {
    await this.app.engine.call('delete-classify-experiment', { experimentId: id });
    await this.refresh();
  }

  /** Everything stored about the experiment, plus report.json's contract keys. */
  json(e: ClassifyExperiment): string {
    return JSON.stringify({ ...e, classification: reportRows(e), summary: reportSummary(e) }, null, 2);
  }

  exportJson(e: ClassifyExperiment): void {
    downloadBytes(this.json(e), `${safeName(e.datasetName)}-classification-${e.id}.json`, 'application/json');
  }

  exportCsv(e: ClassifyExperiment): void {
    downloadBytes(resultsCsv(e), `${safeName(e.datasetName)}-classification-${e.id}.csv`, 'text/csv');
  }

  /** The confusion matrices (summed over seeds) of every arm, side by side, as one PNG. */
  async confusionPng(e: ClassifyExperiment): Promise<Uint8Array> {
    return confusionPng(e);
  }

  async exportConfusionPng(e: ClassifyExperiment): Promise<void> {
    downloadBytes(await confusionPng(e), `${safeName(e.datasetName)}-confusion-${e.id}.png`, 'image/png');
  }

  /** The enhanced dataset built in the engine and offered as a download; returns its file name. */
  async exportEnhanced(datasetId: string, format: 'npz' | 'zip', extra: number, seed: number): Promise<string | null> {
    const outcome = await this.app.runJob(`Exporting the enhanced dataset (.${format})`, (onProgress) =>
      this.app.engine.start('export-enhanced', { options: { datasetId, extra, seed, psi: this.settings.psi, format } }, onProgress),
    );
    if (!outcome.ok) return null;
    downloadBytes(outcome.value.bytes, outcome.value.fileName, format === 'npz' ? 'application/octet-stream' : 'application/zip');
    this.app.notice = { kind: 'success', text: `Exported ${outcome.value.fileName}: ${outcome.value.syntheticCounts.reduce((s, n) => s + n, 0)} synthetic training images added (${outcome.value.syntheticCounts.join(' / ')} per class), flagged as synthetic.` };
    return outcome.value.fileName;
  }
}
