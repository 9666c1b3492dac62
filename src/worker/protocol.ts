/**
 * Every message between the UI (or the headless runner, which drives the same UI page) and the engine worker.
 *
 * One `type` key in both directions, discriminated unions, request ids. A request gets exactly one final
 * reply (`result` or `error`), zero or more `progress` events before it, and can be cancelled by id.
 * The worker also pushes a few unsolicited events (`engine-status`), which carry no request id.
 */
import type { AutotuneReport } from '../gpu/autotune.ts';
import type { ProjectImportReport } from '../data/project-store.ts';
import type { AspectMode, DatasetKind, SkippedFile, SplitFractions } from '../data/types.ts';
import type { DatasetMeta, DatasetSample, StorageReport } from '../data/store-types.ts';
import type { GeneratorRunMeta } from '../pipeline/generator-runs.ts';
import type { SampleGrid } from '../pipeline/sample-grid.ts';
import type { FaultKind } from '../pipeline/fault-injection.ts';
import type { TrainGeneratorsOptions, TrainTick } from '../pipeline/train-generators.ts';
import type { ClassifyExperiment, ClassifyExperimentOptions } from '../pipeline/classify-record.ts';
import type { ClassifyTick } from '../pipeline/classify-experiment.ts';
import type { EnhancedExportOptions } from '../pipeline/enhanced-export.ts';
import type { SegContinueChanges, SegmentExperiment, SegmentExperimentOptions, SegRoundData } from '../pipeline/seg-rounds-record.ts';
import type { SegmentTick } from '../pipeline/seg-rounds.ts';
import type { PseudoLabelOverride } from '../pipeline/pseudo-labels.ts';
import type { SpeedJob, SpeedRecord } from '../pipeline/speed-job.ts';

export type BackendName = 'webgpu' | 'webgl' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** True when the adapter runs in WebGPU compatibility mode (e.g. Mesa through OpenGL ES). */
  compatibilityMode: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface SelfTestReport {
  passed: boolean;
  /** Largest relative difference against the CPU backend over the loss and updated weights. */
  maxRelError: number;
  tolerance: number;
  ms: number;
  detail: string;
}

export interface BackendReport {
  name: BackendName;
  requested: BackendChoice;
  /** Why a fallback was taken, in words for the user; empty when the request was met. */
  fallbackReason: string;
  webgpuAvailable: boolean;
  adapter: AdapterReport | null;
  selfTest: SelfTestReport;
  tfjsVersion: string;
  /** WebGPU only: the conv/matmul programs the autotune chose for this adapter (null elsewhere). */
  tuning: AutotuneReport | null;
}

/** A file handed to an importer: its path relative to what the user picked, and its bytes. */
export interface SourceFile {
  path: string;
  file: Blob;
}

export interface ImportOptions {
  /** Shown name; defaults to the file or folder name. */
  name?: string;
  /** Working resolution; 0 or absent = the source's own (MedMNIST) or 64 (image folders). */
  size?: number;
  aspect?: AspectMode;
  /** Used only when the source has no split of its own. */
  splitFractions?: SplitFractions;
  splitSeed?: number;
}

export interface PhantomOptions {
  size: number;
  count: number;
  seed: number;
  name?: string;
  splitFractions?: SplitFractions;
}

export interface ImportResult {
  dataset: DatasetMeta;
  skipped: SkippedFile[];
}

/** Request name -> [request fields, result value]. The single source of truth for the protocol. */
export interface RequestMap {
  init: [{ backend: BackendChoice }, BackendReport];
  'import-files': [{ files: SourceFile[]; options: ImportOptions }, ImportResult];
  'import-phantom': [{ options: PhantomOptions }, ImportResult];
  'list-datasets': [Record<string, never>, DatasetMeta[]];
  'dataset-samples': [{ datasetId: string; perClass: number }, DatasetSample[]];
  'dataset-arrays': [{ datasetId: string }, DatasetArraysMessage];
  'rename-dataset': [{ datasetId: string; name: string }, DatasetMeta];
  'delete-dataset': [{ datasetId: string }, { deleted: string }];
  storage: [Record<string, never>, StorageReport];
  'train-generators': [{ options: TrainGeneratorsOptions }, { runs: GeneratorRunMeta[] }];
  'list-generator-runs': [Record<string, never>, GeneratorRunMeta[]];
  'delete-generator-run': [{ runId: string }, { deleted: string }];
  'sample-run': [{ runId: string; firstSeed: number; count: number; psi: number }, SampleGrid & { seeds: number[] }];
  'interpolate-run': [{ runId: string; seedA: number; seedB: number; steps: number; psi: number }, SampleGrid];
  'export-samples': [{ runId: string; firstSeed: number; count: number; psi: number }, { zip: Uint8Array; fileName: string }];
  'run-grid-png': [{ runId: string; seed: number; count: number; psi: number }, { png: Uint8Array }];
  'classify-experiment': [{ options: ClassifyExperimentOptions }, ClassifyExperiment];
  /** The runs a stopped, interrupted or failed experiment had left, with its own settings. */
  'classify-resume': [{ experimentId: string }, ClassifyExperiment];
  'list-classify-experiments': [Record<string, never>, ClassifyExperiment[]];
  'delete-classify-experiment': [{ experimentId: string }, { deleted: string }];
  /** The enhanced dataset (real + flagged synthetic training images) as a MedMNIST-style .npz or a zip of class folders. */
  'export-enhanced': [{ options: EnhancedExportOptions }, { bytes: Uint8Array; fileName: string; syntheticCounts: number[] }];
  /** A new pseudo-labelling experiment: synthetic images drawn, then rounds 0 (real only) .. options.rounds. */
  'segment-experiment': [{ options: SegmentExperimentOptions }, SegmentExperiment];
  /** `rounds` more rounds of a stored experiment (after a stop, a review or a branch), with optional new settings. */
  'segment-continue': [{ experimentId: string; rounds: number; changes?: SegContinueChanges }, SegmentExperiment];
  'list-segment-experiments': [Record<string, never>, SegmentExperiment[]];
  'delete-segment-experiment': [{ experimentId: string }, { deleted: string }];
  /** A round's synthetic images, pseudo-masks, scores, review and selection, for the review grid. */
  'segment-round-data': [{ experimentId: string; round: number }, SegRoundData];
  /** Saves the complete review of the last round (overrides, corrected masks by image id) for the next round. */
  'segment-review': [{ experimentId: string; round: number; overrides: Record<string, PseudoLabelOverride>; corrected: Record<string, Uint8Array> }, SegmentExperiment];
  /** A new experiment holding rounds 0..round of another (copied), to continue with possibly other settings; trains nothing. */
  'segment-branch': [{ experimentId: string; round: number; changes?: SegContinueChanges }, SegmentExperiment];
  /** Every stored record (datasets, runs, checkpoints, experiments) as one versioned project file. */
  'export-project': [Record<string, never>, { bytes: Uint8Array; fileName: string; records: number }];
  'import-project': [{ file: Blob; fileName: string }, ProjectImportReport];
  /** A generator's EMA weights in tfjs's weights format (model.json + weights.bin, zipped). */
  'export-generator-model': [{ runId: string }, { zip: Uint8Array; fileName: string }];
  /** Times a few real training steps of the job on random data (an estimate's basis), and stores the figure. */
  'measure-speed': [{ job: SpeedJob }, SpeedRecord];
  /** Every speed figure measured on this adapter and backend. */
  'list-speeds': [Record<string, never>, SpeedRecord[]];
  /** For tests only (the UI never sends it): a NaN before the next training step, or a lost GPU device now. */
  'inject-fault': [{ kind: FaultKind }, { kind: FaultKind; applied: string }];
}

/** Whole-dataset arrays for callers that need every pixel (tests, exports). */
export interface DatasetArraysMessage {
  meta: DatasetMeta;
  images: Uint8Array;
  masks: Uint8Array | null;
  labels: Uint8Array;
  splits: Uint8Array;
  /** Source names (file stems or paths) in stored order, where the source had them. */
  names: string[] | null;
}

export type RequestType = keyof RequestMap;
export type RequestArgs<K extends RequestType> = RequestMap[K][0];
export type ResultOf<K extends RequestType> = RequestMap[K][1];

export type Request = { [K in RequestType]: { type: K; id: number } & RequestArgs<K> }[RequestType];

export interface CancelMessage {
  type: 'cancel';
  /** The id of the request to stop. */
  target: number;
}

export type ToWorker = Request | CancelMessage;

export interface ProgressEvent {
  type: 'progress';
  id: number;
  stage: string;
  done: number;
  total: number;
  message: string;
  /** Present while a generator trains: its counters, latest losses and, now and then, fresh samples. */
  train?: TrainTick;
  /** Present while a classification experiment runs: the run in progress and, per epoch, its curve point. */
  classify?: ClassifyTick;
  /** Present while pseudo-labelling rounds run: round, epoch, curve point per epoch, round record per round. */
  segment?: SegmentTick;
}

export interface ResultMessage<K extends RequestType = RequestType> {
  type: 'result';
  id: number;
  request: K;
  value: ResultOf<K>;
}

export type ErrorCode = 'cancelled' | 'bad-input' | 'storage-full' | 'not-found' | 'backend' | 'other-tab' | 'internal';

export interface ErrorMessage {
  type: 'error';
  id: number;
  code: ErrorCode;
  message: string;
}

export interface EngineStatusEvent {
  type: 'engine-status';
  status: 'starting' | 'ready' | 'failed';
  message: string;
}

/** Whether this tab's engine owns the stored data (the first tab) or only reads it (see tab-lock.ts). */
export interface TabRoleEvent {
  type: 'tab-role';
  role: 'primary' | 'secondary';
}

export type FromWorker = ProgressEvent | ResultMessage | ErrorMessage | EngineStatusEvent | TabRoleEvent;

const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>([
  'init',
  'import-files',
  'import-phantom',
  'list-datasets',
  'dataset-samples',
  'dataset-arrays',
  'rename-dataset',
  'delete-dataset',
  'storage',
  'train-generators',
  'list-generator-runs',
  'delete-generator-run',
  'sample-run',
  'interpolate-run',
  'export-samples',
  'run-grid-png',
  'classify-experiment',
  'classify-resume',
  'list-classify-experiments',
  'delete-classify-experiment',
  'export-enhanced',
  'segment-experiment',
  'segment-continue',
  'list-segment-experiments',
  'delete-segment-experiment',
  'segment-round-data',
  'segment-review',
  'segment-branch',
  'export-project',
  'import-project',
  'export-generator-model',
  'measure-speed',
  'list-speeds',
  'inject-fault',
]);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** Guards for what crosses the boundary: a malformed message is answered with an error, never trusted. */
export function isToWorker(x: unknown): x is ToWorker {
  if (!isRecord(x) || typeof x.type !== 'string') return false;
  if (x.type === 'cancel') return typeof x.target === 'number';
  return REQUEST_TYPES.has(x.type) && typeof x.id === 'number' && Number.isInteger(x.id);
}

export function isFromWorker(x: unknown): x is FromWorker {
  if (!isRecord(x) || typeof x.type !== 'string') return false;
  switch (x.type) {
    case 'progress':
      return typeof x.id === 'number' && typeof x.done === 'number' && typeof x.total === 'number';
    case 'result':
      return typeof x.id === 'number' && typeof x.request === 'string';
    case 'error':
      return typeof x.id === 'number' && typeof x.message === 'string' && typeof x.code === 'string';
    case 'engine-status':
      return typeof x.status === 'string';
    case 'tab-role':
      return x.role === 'primary' || x.role === 'secondary';
    default:
      return false;
  }
}
