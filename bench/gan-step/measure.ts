/**
 * The in-page half of `npm run bench -- gan-step`: build the project's own G and D at the asked size on the
 * asked backend and time full training iterations (src/train/gan-step.ts: D main step, G step, EMA, ADA;
 * every r1Interval-th one also a lazy R1 step), exactly as the worker trains them.
 *
 * Timing: wall clock per iteration; ganStep ends by reading back its statistics, which waits for all the
 * GPU work queued before it, so each figure covers the whole iteration. Counting runs in a separate,
 * untimed iteration under tf.profile (kernel calls, shapes for the FLOP count) while the backend's program
 * launches are counted during the timed ones by wrapping its single dispatch method.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { setSsgKernelsEnabled } from '../../src/gpu/kernels/index.ts';
import { ganTrainingPreset } from '../../src/train/gan-config.ts';
import { createGanState, disposeGanState, type GanState } from '../../src/train/gan-state.ts';
import { ganStep } from '../../src/train/gan-step.ts';
import { totalFlops } from './flops.ts';
import type { GanStepBenchOptions, GanStepBenchResult, ProfiledKernel } from './types.ts';

/** A fixed batch of "real" images in [-1, 1]: the arithmetic does not depend on what they show. */
function realBatch(o: GanStepBenchOptions): tf.Tensor4D {
  return tf.tidy(() => tf.randomUniform([o.batch, o.resolution, o.resolution, o.channels], -1, 1, 'float32', 7) as tf.Tensor4D);
}

/** Count the backend's GPU program launches while `fn` runs (null where the backend has no such method). */
async function countLaunches<T>(fn: () => Promise<T>): Promise<{ value: T; launches: number | null }> {
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const method = tf.getBackend() === 'webgpu' ? 'runWebGPUProgram' : tf.getBackend() === 'webgl' ? 'runWebGLProgram' : null;
  const original = method ? backend[method] : null;
  if (!method || typeof original !== 'function') return { value: await fn(), launches: null };
  let launches = 0;
  backend[method] = function (this: unknown, ...args: unknown[]) {
    launches++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  try {
    return { value: await fn(), launches };
  } finally {
    backend[method] = original;
  }
}

/** Median of sorted numbers (the mean of the two middle ones for an even count). */
function median(sorted: number[]): number {
  const h = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}

/** Index of the next iteration that is not an R1 iteration, from `step` on. */
function nextPlainStep(state: GanState, step: number): number {
  const every = state.config.r1Interval;
  return state.config.r1Gamma > 0 && step % every === 0 ? step + 1 : step;
}

async function profileIteration(state: GanState, batch: tf.Tensor4D): Promise<{ kernels: ProfiledKernel[]; top: GanStepBenchResult['topKernels']; totals: GanStepBenchResult['kernelTotals'] }> {
  const info = await tf.profile(async () => {
    await ganStep(state, batch);
  });
  // Grouped by kernel name and input shapes, so one slow call site stands out from the rest of its kind.
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const key = `${k.name} ${k.inputShapes.map((s) => `[${(s ?? []).join('x')}]`).join(' ')}`;
    const e = byName.get(key) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    byName.set(key, e);
  }
  const top = [...byName.entries()].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms).slice(0, 30);
  // And by kernel name alone: where the time goes by kind of op (convolutions, optimizer arithmetic, ...).
  const byKind = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byKind.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls++;
    byKind.set(k.name, e);
  }
  const totals = [...byKind.entries()].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
  return { kernels: info.kernels.map((k) => ({ name: k.name, inputShapes: k.inputShapes, outputShapes: k.outputShapes })), top, totals };
}

export async function benchGanStep(o: GanStepBenchOptions, adapter: string, compatibilityMode: boolean): Promise<GanStepBenchResult> {
  setSsgKernelsEnabled(o.kernels);
  const config = ganTrainingPreset(o.preset, o.resolution, o.channels, { batchSize: o.batch, seed: 1 });
  const state = createGanState(config);
  const batch = realBatch(o);
  try {
    // Warm-up: step 0 carries R1, so its shaders are compiled before any timed R1 iteration.
    for (let i = 0; i < o.warmup; i++) await ganStep(state, batch);
    state.step = nextPlainStep(state, state.step);

    const { kernels, top, totals } = await profileIteration(state, batch);
    const kernelCallsPerIter = kernels.length;
    const flopsPerIter = totalFlops(kernels);

    state.step = nextPlainStep(state, state.step);
    const tensorsBefore = tf.memory().numTensors;
    const iterMs: number[] = [];
    const { launches } = await countLaunches(async () => {
      for (let i = 0; i < o.iters; i++) {
        state.step = nextPlainStep(state, state.step);
        const t0 = performance.now();
        await ganStep(state, batch);
        iterMs.push(performance.now() - t0);
      }
    });
    const tensorsAfter = tf.memory().numTensors;

    let r1Ms: number | null = null;
    if (o.r1 && config.r1Gamma > 0) {
      state.step = Math.ceil(state.step / config.r1Interval) * config.r1Interval;
      const t0 = performance.now();
      await ganStep(state, batch);
      r1Ms = performance.now() - t0;
    }

    const sorted = [...iterMs].sort((a, b) => a - b);
    const count = (vars: tf.Variable[]): number => vars.reduce((s, v) => s + v.size, 0);
    return {
      backend: o.backend,
      kernels: o.kernels,
      preset: o.preset,
      adapter,
      compatibilityMode,
      iterMs,
      medianMs: median(sorted),
      r1Ms,
      launchesPerIter: launches === null ? kernelCallsPerIter : launches / Math.max(1, o.iters),
      kernelCallsPerIter,
      flopsPerIter,
      topKernels: o.profileKernels ? top : [],
      kernelTotals: o.profileKernels ? totals : [],
      tensorsBefore,
      tensorsAfter,
      params: { G: count(state.G.trainableVariables()), D: count(state.D.trainableVariables()) },
    };
  } finally {
    batch.dispose();
    disposeGanState(state);
    setSsgKernelsEnabled(true);
  }
}

/** Sanity for the page: the WebGPU backend object really is tfjs-webgpu's (kernels register on it). */
export function isWebGpuBackend(): boolean {
  return tf.backend() instanceof WebGPUBackend;
}
