/**
 * The GPU kernel test page (not part of the app bundle; built by vite.gpu.config.mts into dist-gpu-tests/).
 * It starts tfjs on WebGPU, registers our kernels, and exposes to Playwright:
 *   gpuPageInfo(): backend and adapter;  runGpuCases(): every comparison case;  runGpuBench(): timings.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerSsgKernels } from '../../src/gpu/kernels/index.ts';
import { runBench } from './bench.ts';
import { runGpuCases as runCases } from './run-cases.ts';
import type { BenchResult, CaseResult, GpuPageInfo } from './types.ts';

const ready = (async () => {
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not start');
  await tf.ready();
  registerSsgKernels();
  registerSsgKernels(); // idempotent: a second call must change nothing (and log nothing)
})();

async function gpuPageInfo(): Promise<GpuPageInfo> {
  await ready;
  const adapter = await navigator.gpu.requestAdapter();
  const info = adapter?.info;
  const legacy = adapter as (GPUAdapter & { featureLevel?: string }) | null;
  const backend = tf.backend();
  const limits = backend instanceof WebGPUBackend ? backend.device.limits : null;
  return {
    backend: tf.getBackend(),
    deviceLimits: limits
      ? {
          maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          maxUniformBufferBindingSize: limits.maxUniformBufferBindingSize,
        }
      : {},
    adapter: info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : 'none',
    compatibilityMode: legacy?.featureLevel === 'compatibility' || !adapter?.features.has('core-features-and-limits' as GPUFeatureName),
  };
}

/** `only`: run just the cases whose name contains it ('' = all), e.g. 'selective scan'. */
async function runGpuCases(only = ''): Promise<CaseResult[]> {
  await ready;
  return runCases(only);
}

/** `only`: 'filtered lrelu' or 'dcoef' to time one op ('' = both). */
async function runGpuBench(runs?: number, warmup?: number, only?: string, kernelOnly?: boolean): Promise<BenchResult[]> {
  await ready;
  return runBench(runs, warmup, only, kernelOnly);
}

Object.assign(globalThis, { gpuPageInfo, runGpuCases, runGpuBench });
document.title = 'SSG GPU kernel tests: ready';

