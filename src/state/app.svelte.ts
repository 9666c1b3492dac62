/**
 * Application state (Svelte 5 runes in a class): the engine, its backend report, the stored datasets and
 * the one long job in flight. Components read it and call its methods; none of them talks to the worker.
 */
import type { DatasetMeta, DatasetSample, StorageReport } from '../data/store-types.ts';
import type { AspectMode, SkippedFile } from '../data/types.ts';
import type { BackendChoice, BackendReport, ImportOptions, ImportResult, PhantomOptions, ProgressEvent, SourceFile } from '../worker/protocol.ts';
import { EngineClient, EngineError } from './engine-client.ts';
import { ClassifyState } from './classify.svelte.ts';
import { downloadBytes } from './download.ts';
import { GeneratorsState } from './generators.svelte.ts';
import { SegmentState } from './segment.svelte.ts';
import { SpeedState } from './speed.svelte.ts';

export type View = 'data' | 'generators' | 'classify' | 'segment' | 'report' | 'system';

/** The demo set a fresh browser opens on: small enough to import in seconds, big enough to train on. */
export const DEMO_PHANTOM: PhantomOptions = { size: 64, count: 300, seed: 1, name: 'Phantom ultrasound (demo)' };

export const BACKEND_SETTING_KEY = 'ssgnet.backend';

/** How a project file's stores are named to a person. */
const PROJECT_STORE_NAMES: Record<string, [string, string]> = {
  datasets: ['dataset', 'datasets'],
  genruns: ['generator run', 'generator runs'],
  clsexps: ['classification experiment', 'classification experiments'],
  segexps: ['segmentation experiment', 'segmentation experiments'],
};

export interface Job {
  id: number;
  title: string;
  progress: ProgressEvent | null;
  cancel: () => void;
}

/** The import settings panel's values; held here so the headless runner sets them the way a user would. */
export interface ImportSettings {
  size: number;
  aspect: AspectMode;
  valPct: number;
  testPct: number;
  seed: number;
}

/** How the last import ended, for the runner and tests to wait on. */
export type ImportOutcome = { ok: true; result: ImportResult } | { ok: false; code: string; message: string };

export interface Notice {
  kind: 'error' | 'info' | 'success';
  text: string;
  /** Files an import could not use, listed under the notice. */
  skipped?: SkippedFile[];
}

function readBackendChoice(): BackendChoice {
  const fromUrl = new URLSearchParams(location.search).get('backend');
  const stored = localStorage.getItem(BACKEND_SETTING_KEY);
  const pick = fromUrl ?? stored ?? 'auto';
  return (['auto', 'webgpu', 'webgl', 'cpu'] as const).find((b) => b === pick) ?? 'auto';
}

export class AppState {
  engine: EngineClient;
  view = $state<View>('data');
  backendChoice = $state<BackendChoice>(readBackendChoice());
  backend = $state.raw<BackendReport | null>(null);
  engineMessage = $state('starting the engine…');
  engineFailed = $state(false);
  /** 'secondary' while another tab of the app owns the stored data (this tab only reads; see tab-lock.ts). */
  tabRole = $state<'primary' | 'secondary'>('primary');
  /** True once start() has finished (engine up, and the demo data imported on a fresh browser). */
  ready = $state(false);
  datasets = $state.raw<DatasetMeta[]>([]);
  selectedId = $state<string | null>(null);
  samples = $state.raw<DatasetSample[]>([]);
  storage = $state.raw<StorageReport | null>(null);
  job = $state<Job | null>(null);
  notice = $state<Notice | null>(null);
  importSettings = $state<ImportSettings>({ size: 0, aspect: 'stretch', valPct: 10, testPct: 20, seed: 42 });
  lastImport = $state.raw<ImportOutcome | null>(null);
  readonly generators = new GeneratorsState(this);
  readonly classify = new ClassifyState(this);
  readonly segment = new SegmentState(this);
  readonly speed = new SpeedState(this);

  selected = $derived(this.datasets.find((d) => d.id === this.selectedId) ?? null);

  constructor() {
    this.engine = this.makeEngine();
  }

  private makeEngine(): EngineClient {
    const engine = new EngineClient();
    engine.onStatus = (s) => {
      this.engineMessage = s.message;
      if (s.status === 'failed') this.engineFailed = true;
    };
    engine.onRole = (role) => {
      const promoted = role === 'primary' && this.tabRole === 'secondary';
      this.tabRole = role;
      if (promoted) {
        this.notice = { kind: 'info', text: 'The other tab closed: this tab now owns the data and can train again.' };
        void Promise.all([this.refresh(), this.generators.refresh(), this.classify.refresh(), this.segment.refresh()]).catch(() => undefined);
      }
    };
    return engine;
  }

  /** Starts the engine, and on a fresh browser imports the built-in demo data. */
  async start(): Promise<void> {
    try {
      this.backend = await this.engine.call('init', { backend: this.backendChoice });
      this.engineMessage = `${this.backend.name} ready`;
      await Promise.all([this.refresh(), this.generators.refresh(), this.classify.refresh(), this.segment.refresh(), this.speed.refresh()]);
      if (this.datasets.length === 0 && this.tabRole === 'primary' && !new URLSearchParams(location.search).has('nodemo')) {
        await this.importPhantom(DEMO_PHANTOM);
      }
    } catch (err) {
      this.engineFailed = true;
      this.engineMessage = (err as Error).message;
      this.notice = { kind: 'error', text: `The engine could not start: ${(err as Error).message}` };
    } finally {
      this.ready = true;
    }
  }

  /** Switches backend: the worker is replaced, since tfjs backends hold GPU state for the worker's life. */
  async switchBackend(choice: BackendChoice): Promise<void> {
    localStorage.setItem(BACKEND_SETTING_KEY, choice);
    this.backendChoice = choice;
    this.engine.terminate();
    this.engine = this.makeEngine();
    this.backend = null;
    this.ready = false;
    this.engineFailed = false;
    this.engineMessage = `starting the ${choice} backend…`;
    await this.start();
  }

  async refresh(): Promise<void> {
    this.datasets = await this.engine.call('list-datasets', {});
    if (!this.datasets.some((d) => d.id === this.selectedId)) this.selectedId = this.datasets.at(-1)?.id ?? null;
    await Promise.all([this.loadSamples(), this.refreshStorage()]);
  }

  async refreshStorage(): Promise<void> {
    this.storage = await this.engine.call('storage', {});
  }

  async select(id: string): Promise<void> {
    this.selectedId = id;
    await this.loadSamples();
  }

  private async loadSamples(): Promise<void> {
    const id = this.selectedId;
    if (!id) {
      this.samples = [];
      return;
    }
    const samples = await this.engine.call('dataset-samples', { datasetId: id, perClass: 8 });
    if (this.selectedId === id) this.samples = samples; // a newer selection wins
  }

  /** Runs one long request as the visible job; the UI shows its progress and can cancel it. */
  async runJob<T>(
    title: string,
    start: (onProgress: (p: ProgressEvent) => void) => { id: number; promise: Promise<T>; cancel: () => void },
    opts: { keepNotice?: boolean } = {},
  ): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
    if (this.job) {
      const message = `Please wait: "${this.job.title}" is still running.`;
      this.notice = { kind: 'error', text: message };
      return { ok: false, code: 'busy', message };
    }
    // A new job makes an earlier job's report stale ("Stopped after 1 of 2 runs" above a resumed run); errors stay until dismissed.
    if (!opts.keepNotice && this.notice && this.notice.kind !== 'error') this.notice = null;
    const call = start((p) => {
      if (this.job) this.job.progress = p;
    });
    this.job = { id: call.id, title, progress: null, cancel: call.cancel };
    try {
      return { ok: true, value: await call.promise };
    } catch (err) {
      const e = err as EngineError;
      this.notice = e.code === 'cancelled' ? { kind: 'info', text: `${title}: cancelled; nothing was kept.` } : { kind: 'error', text: e.message };
      return { ok: false, code: e.code ?? 'internal', message: e.message };
    } finally {
      this.job = null;
    }
  }

  /** Imports with the settings panel's current values. */
  importWithSettings(files: SourceFile[]): Promise<ImportResult | null> {
    const s = this.importSettings;
    return this.importFiles(files, { size: s.size, aspect: s.aspect, splitFractions: { val: s.valPct / 100, test: s.testPct / 100 }, splitSeed: s.seed });
  }

  async importFiles(files: SourceFile[], options: ImportOptions): Promise<ImportResult | null> {
    const label = files.length === 1 ? files[0]!.path : `${files.length} files`;
    return this.finishImport(await this.runJob(`Importing ${label}`, (onProgress) => this.engine.start('import-files', { files, options }, onProgress)));
  }

  async importPhantom(options: PhantomOptions): Promise<ImportResult | null> {
    return this.finishImport(await this.runJob(`Generating ${options.count} phantoms`, (onProgress) => this.engine.start('import-phantom', { options }, onProgress)));
  }

  private async finishImport(outcome: { ok: true; value: ImportResult } | { ok: false; code: string; message: string }): Promise<ImportResult | null> {
    if (outcome.ok) {
      const d = outcome.value.dataset;
      const skipped = outcome.value.skipped;
      this.notice = {
        kind: 'success',
        text: `Imported "${d.name}": ${d.count} images at ${d.size}×${d.size} px${skipped.length ? `; ${skipped.length} files skipped (listed below)` : ''}.`,
        skipped,
      };
      this.selectedId = d.id;
    }
    await this.refresh();
    this.lastImport = outcome.ok ? { ok: true, result: outcome.value } : outcome;
    return outcome.ok ? outcome.value : null;
  }

  async rename(id: string, name: string): Promise<void> {
    try {
      await this.engine.call('rename-dataset', { datasetId: id, name });
    } catch (err) {
      this.notice = { kind: 'error', text: (err as Error).message };
    }
    await this.refresh();
  }

  async remove(id: string): Promise<void> {
    try {
      await this.engine.call('delete-dataset', { datasetId: id });
      this.notice = { kind: 'info', text: 'Dataset deleted.' };
    } catch (err) {
      this.notice = { kind: 'error', text: (err as Error).message };
    }
    await this.refresh();
  }

  /** The whole project (datasets, generator runs with checkpoints, experiments) as one file download. */
  async exportProject(): Promise<string | null> {
    const outcome = await this.runJob('Exporting the project', (onProgress) => this.engine.start('export-project', {}, onProgress));
    if (!outcome.ok) return null;
    downloadBytes(outcome.value.bytes, outcome.value.fileName, 'application/zip');
    this.notice = { kind: 'success', text: `Exported ${outcome.value.records} records as ${outcome.value.fileName} (${(outcome.value.bytes.length / 1e6).toFixed(1)} MB).` };
    return outcome.value.fileName;
  }

  /** Imports a project file: new records are added, records already here are kept as they are. */
  async importProject(file: File): Promise<boolean> {
    const outcome = await this.runJob(`Importing ${file.name}`, (onProgress) => this.engine.start('import-project', { file, fileName: file.name }, onProgress));
    if (!outcome.ok) return false;
    const r = outcome.value;
    const added = Object.entries(r.added).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${PROJECT_STORE_NAMES[k]?.[n === 1 ? 0 : 1] ?? k}`);
    this.notice = { kind: 'success', text: `Imported ${file.name}${r.app ? ` (written by ${r.app})` : ''}: ${added.length ? added.join(', ') : 'nothing new'}${r.skipped ? `; ${r.skipped} records were already here and were kept as they are` : ''}.` };
    await Promise.all([this.refresh(), this.generators.refresh(), this.classify.refresh(), this.segment.refresh()]);
    return true;
  }

  /** Asks the browser not to evict our data under storage pressure (it may say no; we report either way). */
  async requestPersistence(): Promise<void> {
    const granted = (await navigator.storage?.persist?.()) ?? false;
    this.notice = granted
      ? { kind: 'success', text: 'This browser will keep the app’s data unless you clear it yourself.' }
      : { kind: 'info', text: 'The browser declined persistent storage for now (it decides by how the site is used); data may be evicted if the disk runs low.' };
    await this.refreshStorage();
  }
}
