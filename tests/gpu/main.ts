/**
 * The GPU kernel test page (not part of the app bundle; built by vite.gpu.config.mts into dist-gpu-tests/).
 * It starts tfjs on WebGPU, registers our kernels, and exposes to Playwright:
 *   gpuPageInfo(): backend and adapter;  runGpuCases(): every comparison case;  runGpuBench(): timings.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { registerSsgKernels } from '../../src/gpu/kernels/index.ts';
import { runBench } from './bench.ts';
import { layoutCases } from './case-layout.ts';
import { dispatchCases } from './case-dispatch.ts';
import { r1DoubleGradCase } from './case-r1.ts';
import { adamCases } from './cases-adam.ts';
import { biasActCases, biasActNanCase, biasActSecondOrderCase } from './cases-bias-act.ts';
import { channelSumCases } from './cases-channel-sum.ts';
import { CONV_BLOCK_CASE_PREFIX, convBlockCases } from './cases-conv-block.ts';
import { REDUCE_CASE_PREFIX, reduceCases } from './cases-reduce.ts';
import { dcoefCases } from './cases-dcoef.ts';
import { filteredLreluCases } from './cases-filtered-lrelu.ts';
import { selectiveScanCases, VMUNET_CASE_NAME, vmunetKernelCase } from './cases-selective-scan.ts';
import { runOpCase } from './harness.ts';
import { tuningCases } from './cases-tuning.ts';
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
  const keep = (name: string): boolean => name.includes(only);
  const results: CaseResult[] = layoutCases().filter((r) => keep(r.name));
  const opCases = [...filteredLreluCases(), ...dcoefCases(), ...biasActCases(), ...channelSumCases(), ...selectiveScanCases()];
  for (const c of opCases.filter((c) => keep(c.name))) results.push(await runOpCase(c));
  if (!only) {
    results.push(...(await dispatchCases()));
    results.push(await r1DoubleGradCase());
    results.push(await biasActSecondOrderCase());
    results.push(await biasActNanCase());
    results.push(...(await tuningCases()));
  }
  // The blocked convolutions compare whole ops (forward and gradients) and are named after the fact, so the
  // group runs when the filter could match one of its names (any text inside or around the common prefix).
  if (CONV_BLOCK_CASE_PREFIX.includes(only) || only.startsWith(CONV_BLOCK_CASE_PREFIX)) {
    results.push(...(await convBlockCases()).filter((r) => keep(r.name)));
  }
  if (REDUCE_CASE_PREFIX.includes(only) || only.startsWith(REDUCE_CASE_PREFIX)) {
    results.push(...(await reduceCases()).filter((r) => keep(r.name)));
  }
  // Optimizer and EMA updates: a second or so, so they run for any filter and are kept by name.
  results.push(...(await adamCases()).filter((r) => keep(r.name)));
  if (keep(VMUNET_CASE_NAME)) results.push(await vmunetKernelCase());
  return results;
}

/** `only`: 'filtered lrelu' or 'dcoef' to time one op ('' = both). */
async function runGpuBench(runs?: number, warmup?: number, only?: string, kernelOnly?: boolean): Promise<BenchResult[]> {
  await ready;
  return runBench(runs, warmup, only, kernelOnly);
}

Object.assign(globalThis, { gpuPageInfo, runGpuCases, runGpuBench });
document.title = 'SSG GPU kernel tests: ready';

