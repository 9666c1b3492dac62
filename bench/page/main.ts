/**
 * The benchmark page (not part of the app bundle; built by vite.bench.config.mts into dist-bench/).
 * `?backend=webgpu|webgl|cpu` picks the tfjs backend; on WebGPU our kernels are registered as in the app
 * (src/gpu/backend.ts), and each benchmark can switch them off to time the same model on stock ops.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { autotune, type AutotuneReport } from '../../src/gpu/autotune.ts';
import { registerSsgKernels } from '../../src/gpu/kernels/index.ts';
import type { AdapterReport } from '../../src/worker/protocol.ts';
import { benchGanStep, isWebGpuBackend } from '../gan-step/measure.ts';
import type { GanStepBenchOptions, GanStepBenchResult } from '../gan-step/types.ts';
import { benchSegStep, benchSelectiveScan } from '../vmunet/measure.ts';
import type { ScanBenchOptions, ScanBenchResult, SegStepBenchOptions, SegStepBenchResult } from '../vmunet/types.ts';

interface PageInfo {
  backend: string;
  adapter: string;
  compatibilityMode: boolean;
  tuning: AutotuneReport | null;
}

let tuning: AutotuneReport | null = null;

const query = new URLSearchParams(location.search);
const wanted = query.get('backend') ?? 'webgpu';

/** `?tfflags=NAME=VALUE;NAME=VALUE`: tfjs environment flags to try (numbers and booleans parsed). */
function applyTfFlags(spec: string): void {
  for (const pair of spec.split(';').filter(Boolean)) {
    const [name = '', raw = ''] = pair.split('=');
    const value = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
    tf.env().set(name, value);
  }
}

const ready: Promise<PageInfo> = (async () => {
  applyTfFlags(query.get('tfflags') ?? '');
  if (!(await tf.setBackend(wanted))) throw new Error(`the ${wanted} backend did not start`);
  await tf.ready();
  // tf.profile reads back every kernel's output to look for NaN unless told not to: minutes on software.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  let adapter = '';
  let compatibilityMode = false;
  if (wanted === 'webgpu') {
    if (!isWebGpuBackend()) throw new Error('tfjs reports webgpu but its backend is not tfjs-webgpu');
    registerSsgKernels();
    const a = await navigator.gpu.requestAdapter();
    // The app's autotune, measured fresh (no cache) so each benchmark reports what it chose and why.
    const info0 = a?.info;
    const report: AdapterReport = {
      vendor: info0?.vendor ?? '', architecture: info0?.architecture ?? '', device: info0?.device ?? '', description: info0?.description ?? '',
      isFallbackAdapter: false, compatibilityMode: false, features: [], limits: {},
    };
    tuning = await autotune(report, { cache: false });
    const info = a?.info;
    adapter = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : 'unknown';
    const legacy = a as (GPUAdapter & { featureLevel?: string }) | null;
    compatibilityMode = legacy?.featureLevel === 'compatibility' || !a?.features.has('core-features-and-limits' as GPUFeatureName);
  } else if (wanted === 'webgl') {
    const gl = document.createElement('canvas').getContext('webgl2');
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    adapter = gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : '';
  }
  return { backend: tf.getBackend(), adapter, compatibilityMode, tuning };
})();

async function benchInfo(): Promise<PageInfo> {
  return ready;
}

async function runGanStepBench(o: GanStepBenchOptions): Promise<GanStepBenchResult> {
  const info = await ready;
  return benchGanStep(o, info.adapter, info.compatibilityMode);
}

async function runSelectiveScanBench(o: ScanBenchOptions): Promise<ScanBenchResult> {
  const info = await ready;
  return benchSelectiveScan(o, info.adapter, info.compatibilityMode);
}

async function runSegStepBench(o: SegStepBenchOptions): Promise<SegStepBenchResult> {
  const info = await ready;
  return benchSegStep(o, info.adapter);
}

Object.assign(globalThis, { benchInfo, runGanStepBench, runSelectiveScanBench, runSegStepBench });
ready.then(
  () => (document.title = 'SSGNet benchmarks: ready'),
  (e: unknown) => (document.title = `SSGNet benchmarks: failed: ${e instanceof Error ? e.message : String(e)}`),
);
