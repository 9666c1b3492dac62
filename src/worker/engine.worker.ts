/**
 * The engine: the one module Web Worker that owns tfjs, the models and the big IndexedDB writes.
 * This file only dispatches; the work lives in src/data, src/gpu (and later src/train, src/pipeline).
 * Every request ends in exactly one `result` or `error`, whatever happens inside its handler.
 */
import { DataError } from '../data/errors.ts';
import { importFiles, importPhantomDataset } from '../data/import/run-import.ts';
import { CancelledError } from '../data/import/import-context.ts';
import { datasetArrays, datasetSamples } from '../data/read-dataset.ts';
import { deleteDataset, listDatasets, openStore, renameDataset, storageReport } from '../data/store.ts';
import { chooseBackend } from '../gpu/backend.ts';
import { onDeviceLost, watchDevice } from '../gpu/device-watch.ts';
import { injectFault } from '../pipeline/fault-injection.ts';
import { exportProject, importProject } from '../data/project-store.ts';
import { generatorModelZip } from '../pipeline/model-export.ts';
import { deleteRun, getRun, listRuns } from '../pipeline/generator-runs.ts';
import { exportSamplesZip, gridPng, interpolateRun, sampleRun } from '../pipeline/run-sampler.ts';
import { trainGenerators } from '../pipeline/train-generators.ts';
import { resumeClassifyExperiment, runClassifyExperiment } from '../pipeline/classify-experiment.ts';
import { deleteExperiment, listExperiments, markInterrupted } from '../pipeline/classify-runs.ts';
import { buildEnhancedDataset, enhancedFileName, enhancedNpz, enhancedZip } from '../pipeline/enhanced-export.ts';
import { continueSegmentExperiment, runSegmentExperiment, segmentRoundData, type SegmentTick } from '../pipeline/seg-experiment.ts';
import { branchSegmentExperiment, deleteSegmentExperiment, listSegmentExperiments, markSegmentInterrupted, saveSegmentReview } from '../pipeline/seg-runs.ts';
import { listSpeeds, recordSpeed, setSpeedIdentity } from '../pipeline/speed-book.ts';
import { probeSpeed } from '../pipeline/speed-probe.ts';
import { ganRunSpeeds } from '../pipeline/run-speeds.ts';
import { claimEngineLock, currentRole, OtherTabError, WRITING_REQUESTS } from './tab-lock.ts';
import { isToWorker, type ErrorCode, type FromWorker, type Request, type RequestType, type ResultOf } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
/** Names the app in files it writes (project files say which app wrote them). */
const APP_ID = 'ssgnet-browser 0.1.0';
const running = new Map<number, AbortController>();
let storeReady: Promise<void> | null = null;
/** Experiments still marked "running" from an earlier page are marked interrupted once, before the first listing. */
let interruptedChecked = false;
let segInterruptedChecked = false;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function progressFor(id: number) {
  return (stage: string, done: number, total: number, message: string) => post({ type: 'progress', id, stage, done, total, message });
}

/** Array buffers in a result travel as transferables instead of being copied. */
function transferablesOf(value: unknown): Transferable[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
    else if (Array.isArray(v)) v.forEach((x) => visit(x, depth + 1));
    else Object.values(v).forEach((x) => visit(x, depth + 1));
  };
  visit(value, 0);
  return [...out];
}

function segmentProgress(id: number) {
  return (t: SegmentTick) =>
    post({ type: 'progress', id, stage: `round ${t.round} of 0..${t.lastRound}`, done: t.round * t.epochs + t.epoch, total: (t.lastRound + 1) * t.epochs, message: t.message, segment: t });
}

async function handle(req: Request, signal: AbortSignal): Promise<ResultOf<RequestType>> {
  if (req.type !== 'init') await (storeReady ??= openStore());
  if (currentRole() === 'secondary' && WRITING_REQUESTS.has(req.type)) throw new OtherTabError();
  switch (req.type) {
    case 'init': {
      post({ type: 'engine-status', status: 'starting', message: `starting the ${req.backend} backend` });
      post({ type: 'tab-role', role: await claimEngineLock(() => post({ type: 'tab-role', role: 'primary' })) });
      storeReady ??= openStore();
      const report = await chooseBackend(req.backend);
      const a = report.adapter;
      setSpeedIdentity([report.name, a?.vendor, a?.architecture, a?.device, a?.description, a?.compatibilityMode ? 'compat' : ''].join('|'));
      if (report.name === 'webgpu') {
        // A lost GPU device kills this worker's backend for good: the UI must say so even when no job runs.
        watchDevice();
        onDeviceLost((h) => post({ type: 'engine-status', status: 'failed', message: `${h.reason}. Reload the page to get a new one.` }));
      }
      await storeReady;
      post({ type: 'engine-status', status: 'ready', message: `${report.name} ready` });
      return report;
    }
    case 'import-files':
      return importFiles(req.files, req.options, signal, progressFor(req.id));
    case 'import-phantom':
      return importPhantomDataset(req.options, signal, progressFor(req.id));
    case 'list-datasets':
      return listDatasets();
    case 'dataset-samples':
      return datasetSamples(req.datasetId, req.perClass);
    case 'dataset-arrays':
      return datasetArrays(req.datasetId);
    case 'rename-dataset':
      return renameDataset(req.datasetId, req.name);
    case 'delete-dataset':
      await deleteDataset(req.datasetId);
      return { deleted: req.datasetId };
    case 'storage':
      return storageReport();
    case 'train-generators': {
      const rates = new Map<string, number>();
      const runs = await trainGenerators(req.options, signal, (tick) => {
        if (tick.stepsPerSecond > 0) rates.set(tick.runId, tick.stepsPerSecond);
        post({ type: 'progress', id: req.id, stage: `training ${tick.className}`, done: tick.imagesSeen, total: tick.kimgTarget * 1000, message: tick.message, train: tick });
      });
      for (const r of ganRunSpeeds(runs, rates)) await recordSpeed(r);
      return { runs };
    }
    case 'list-generator-runs':
      return listRuns();
    case 'delete-generator-run':
      await deleteRun(req.runId);
      return { deleted: req.runId };
    case 'sample-run':
      return sampleRun(req.runId, req.firstSeed, req.count, req.psi);
    case 'interpolate-run':
      return interpolateRun(req.runId, req.seedA, req.seedB, req.steps, req.psi);
    case 'export-samples': {
      const run = await getRun(req.runId);
      return { zip: await exportSamplesZip(req.runId, req.firstSeed, req.count, req.psi), fileName: `${run.datasetName}-${run.className}-samples.zip`.replace(/[^\w.-]+/g, '_') };
    }
    case 'run-grid-png':
      return { png: await gridPng(req.runId, req.seed, req.count, req.psi) };
    case 'classify-experiment':
      interruptedChecked = true; // this worker's own experiment is the running one from now on
      return runClassifyExperiment(req.options, signal, (t) =>
        post({ type: 'progress', id: req.id, stage: `run ${t.run + 1} of ${t.runs}`, done: t.run * t.epochs + t.epoch, total: t.runs * t.epochs, message: t.message, classify: t }),
      );
    case 'classify-resume':
      interruptedChecked = true;
      return resumeClassifyExperiment(req.experimentId, signal, (t) =>
        post({ type: 'progress', id: req.id, stage: `run ${t.run + 1} of ${t.runs}`, done: t.run * t.epochs + t.epoch, total: t.runs * t.epochs, message: t.message, classify: t }),
      );
    case 'list-classify-experiments':
      if (!interruptedChecked && currentRole() === 'primary') {
        interruptedChecked = true;
        await markInterrupted();
      }
      return listExperiments();
    case 'delete-classify-experiment':
      await deleteExperiment(req.experimentId);
      return { deleted: req.experimentId };
    case 'export-enhanced': {
      const o = req.options;
      const d = await buildEnhancedDataset(o, signal, (c, n) => progressFor(req.id)('generating', c, 0, `generating ${n} synthetic images of class ${c}`));
      const bytes = o.format === 'npz' ? enhancedNpz(d) : await enhancedZip(d, signal);
      return { bytes, fileName: enhancedFileName(d.meta, o), syntheticCounts: d.syntheticCounts };
    }
    case 'segment-experiment':
      segInterruptedChecked = true; // this worker's own experiment is the running one from now on
      return runSegmentExperiment(req.options, signal, segmentProgress(req.id));
    case 'segment-continue':
      segInterruptedChecked = true;
      return continueSegmentExperiment(req.experimentId, req.rounds, req.changes ?? {}, signal, segmentProgress(req.id));
    case 'list-segment-experiments':
      if (!segInterruptedChecked && currentRole() === 'primary') {
        segInterruptedChecked = true;
        await markSegmentInterrupted();
      }
      return listSegmentExperiments();
    case 'delete-segment-experiment':
      await deleteSegmentExperiment(req.experimentId);
      return { deleted: req.experimentId };
    case 'segment-round-data':
      return segmentRoundData(req.experimentId, req.round);
    case 'segment-review':
      return saveSegmentReview(req.experimentId, req.round, req.overrides, req.corrected);
    case 'segment-branch':
      return branchSegmentExperiment(req.experimentId, req.round, req.changes ?? {});
    case 'export-project': {
      const { bytes, records } = await exportProject(APP_ID);
      return { bytes, records, fileName: `ssgnet-project-${new Date().toISOString().slice(0, 10)}.ssgnet.zip` };
    }
    case 'import-project':
      return importProject(new Uint8Array(await req.file.arrayBuffer()), req.fileName);
    case 'export-generator-model':
      return generatorModelZip(req.runId);
    case 'measure-speed':
      return recordSpeed(await probeSpeed(req.job, signal));
    case 'list-speeds':
      return listSpeeds();
    case 'inject-fault':
      if (req.kind !== 'nan' && req.kind !== 'device-lost') throw new Error(`unknown fault ${String(req.kind)}`);
      return injectFault(req.kind); // for tests only
    default: {
      const never: never = req;
      throw new Error(`unknown request ${(never as { type: string }).type}`);
    }
  }
}

function errorCode(err: unknown): ErrorCode {
  if (err instanceof CancelledError) return 'cancelled';
  if (err instanceof OtherTabError) return 'other-tab';
  if (err instanceof DataError) {
    if (err.code === 'storage-full') return 'storage-full';
    if (err.code === 'not-found') return 'not-found';
    return 'bad-input';
  }
  return 'internal';
}

scope.onmessage = async (event: MessageEvent<unknown>) => {
  const msg = event.data;
  if (!isToWorker(msg)) {
    const id = typeof (msg as { id?: unknown })?.id === 'number' ? (msg as { id: number }).id : -1;
    post({ type: 'error', id, code: 'internal', message: 'The engine received a malformed message and ignored it.' });
    return;
  }
  if (msg.type === 'cancel') {
    running.get(msg.target)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(msg.id, controller);
  try {
    const value = await handle(msg, controller.signal);
    post({ type: 'result', id: msg.id, request: msg.type, value }, transferablesOf(value));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    post({ type: 'error', id: msg.id, code: errorCode(err), message });
  } finally {
    running.delete(msg.id);
  }
};

// An exception outside any handler must still reach the UI rather than leave it waiting.
scope.addEventListener('unhandledrejection', (e) => {
  post({ type: 'engine-status', status: 'failed', message: `engine error: ${String((e as PromiseRejectionEvent).reason)}` });
});
