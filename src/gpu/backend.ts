/**
 * Backend choice for the engine worker: WebGPU when an adapter exists, else WebGL, else CPU (or what the
 * user forced). Reports the adapter honestly, including a software fallback adapter such as SwiftShader and
 * WebGPU compatibility mode, since both change what the user should expect from training speed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { AdapterReport, BackendChoice, BackendName, BackendReport } from '../worker/protocol.ts';
import { autotune, forgetTuning, type AutotuneReport } from './autotune.ts';
import { isTuned, setKernelTuning, STOCK_TUNING } from './kernels/switch.ts';
import { registerSsgKernels } from './kernels/index.ts';
import { maxRelativeError, selfTestStep, SELF_TEST_TOLERANCE } from './self-test.ts';

const ORDER: BackendName[] = ['webgpu', 'webgl', 'cpu'];

/** The limits that decide what our kernels and models can do on this adapter. */
const KEY_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

async function describeAdapter(): Promise<AdapterReport | null> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean; featureLevel?: string };
  const features = [...adapter.features].map(String).sort();
  const limits: Record<string, number> = {};
  for (const k of KEY_LIMITS) limits[k] = Number((adapter.limits as unknown as Record<string, number>)[k]);
  return {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    device: info.device || '',
    description: info.description || '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? legacy.isFallbackAdapter),
    // A compatibility-mode adapter (e.g. over OpenGL ES) lacks 'core-features-and-limits'.
    compatibilityMode: legacy.featureLevel === 'compatibility' || !adapter.features.has('core-features-and-limits' as GPUFeatureName),
    features,
    limits,
  };
}

/** Sets the first backend in order that initialises; returns its name. */
async function setFirstWorking(candidates: BackendName[]): Promise<BackendName> {
  for (const name of candidates) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      /* try the next one */
    }
  }
  throw new Error('No TensorFlow.js backend could start in this browser (tried ' + candidates.join(', ') + ').');
}

export async function chooseBackend(requested: BackendChoice): Promise<BackendReport> {
  const adapter = await describeAdapter();
  const webgpuAvailable = adapter !== null;
  const wanted = requested === 'auto' ? ORDER : [requested, ...ORDER.filter((b) => b !== requested)];
  const name = await setFirstWorking(wanted);
  // Our WGSL kernels serve the models on WebGPU; the autotune then picks tiled or barrier-free conv and
  // matmul programs for this adapter, before the self-test, so the self-test checks what will really run.
  let tuning: AutotuneReport | null = null;
  if (name === 'webgpu') {
    registerSsgKernels();
    if (adapter) tuning = await autotune(adapter);
  }
  let fallbackReason = '';
  if (requested === 'auto' && name !== 'webgpu') {
    fallbackReason = webgpuAvailable
      ? `WebGPU has an adapter but the WebGPU backend failed to start; using ${name}.`
      : `This browser offers no WebGPU adapter (WebGPU is off, unsupported, or blocked for this GPU); using ${name}, which trains much more slowly.`;
  } else if (requested !== 'auto' && name !== requested) {
    fallbackReason = `The requested backend "${requested}" could not start here; using ${name}.`;
  }
  let selfTest = await runSelfTest(name);
  if (!selfTest.passed && adapter && tuning && isTuned(tuning.tuning)) {
    // The tuned programs may be what failed: fall back to tfjs's own, forget the choice, and test again.
    setKernelTuning(STOCK_TUNING);
    await forgetTuning(adapter);
    tuning = { ...tuning, tuning: { ...STOCK_TUNING } };
    selfTest = await runSelfTest(name);
    selfTest = { ...selfTest, detail: `${selfTest.detail} (after the tuned conv/matmul programs failed it; tfjs's own are used)` };
  }
  return {
    name,
    requested,
    fallbackReason,
    webgpuAvailable,
    adapter,
    selfTest,
    tfjsVersion: tf.version.tfjs,
    tuning,
  };
}

/** One training step on the chosen backend compared with the same step on the CPU backend. */
export async function runSelfTest(name: BackendName): Promise<BackendReport['selfTest']> {
  const t0 = performance.now();
  try {
    const onBackend = await selfTestStep();
    let reference = onBackend;
    if (name !== 'cpu') {
      await tf.setBackend('cpu');
      try {
        reference = await selfTestStep();
      } finally {
        await tf.setBackend(name);
      }
    }
    const err = maxRelativeError(onBackend, reference);
    const passed = err <= SELF_TEST_TOLERANCE;
    return {
      passed,
      maxRelError: err,
      tolerance: SELF_TEST_TOLERANCE,
      ms: Math.round(performance.now() - t0),
      detail: passed
        ? `one conv-net training step on ${name} matches the CPU backend (loss ${onBackend.loss.toFixed(5)})`
        : `one conv-net training step on ${name} differs from the CPU backend by ${err.toExponential(2)} (tolerance ${SELF_TEST_TOLERANCE}); results on this backend cannot be trusted`,
    };
  } catch (err) {
    return { passed: false, maxRelError: Infinity, tolerance: SELF_TEST_TOLERANCE, ms: Math.round(performance.now() - t0), detail: `self-test crashed: ${(err as Error).message}` };
  }
}
