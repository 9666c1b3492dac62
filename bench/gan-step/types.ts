/** What the benchmark page and the Node driver exchange (plain JSON through page.evaluate). */
import type { GanPresetName, GanResolution } from '../../src/models/generator-config.ts';

export type BenchBackend = 'webgpu' | 'webgl' | 'cpu';

export interface GanStepBenchOptions {
  backend: BenchBackend;
  /** WebGPU only: true = our WGSL kernels, false = the same model on stock tfjs ops (the references). */
  kernels: boolean;
  preset: GanPresetName;
  resolution: GanResolution;
  channels: 1 | 3;
  batch: number;
  /** Timed iterations (the median is reported). */
  iters: number;
  /** Untimed iterations first (shader compilation, buffer pools); the first one carries the R1 step. */
  warmup: number;
  /** Also time one warm R1 iteration (D main + lazy R1 + G). */
  r1: boolean;
  /** Per-kernel GPU times through timestamp queries (needs Chromium's allow_unsafe_apis; top names reported). */
  profileKernels: boolean;
}

/** One kernel invocation as tf.profile records it (the fields the FLOP count needs). */
export interface ProfiledKernel {
  name: string;
  inputShapes: number[][];
  outputShapes: number[][];
}

export interface GanStepBenchResult {
  backend: BenchBackend;
  kernels: boolean;
  preset: GanPresetName;
  /** Adapter in words ('' off WebGPU), and whether it runs in compatibility mode. */
  adapter: string;
  compatibilityMode: boolean;
  /** Wall-clock ms of each timed iteration (each ends with the step's readback). */
  iterMs: number[];
  medianMs: number;
  /** A warm iteration with the lazy R1 step, or null when not asked for. */
  r1Ms: number | null;
  /** GPU programs dispatched per iteration (WebGPU, WebGL); tfjs kernel calls on the CPU backend. */
  launchesPerIter: number;
  /** tfjs kernel calls per iteration (ops as the engine sees them, custom kernels counted once). */
  kernelCallsPerIter: number;
  /** Conv, matmul and FIR multiply-adds of one iteration x 2, counted from the kernels that ran. */
  flopsPerIter: number;
  /** Largest GPU times of one iteration per kernel name and input shapes when profileKernels was set, else []. */
  topKernels: { name: string; ms: number; calls: number }[];
  /** GPU time of one iteration per kernel name (all shapes together), largest first, when profiling; else []. */
  kernelTotals?: { name: string; ms: number; calls: number }[];
  /** tf.memory().numTensors before the first and after the last timed iteration (a leak shows as growth). */
  tensorsBefore: number;
  tensorsAfter: number;
  /** Parameters of G and D. */
  params: { G: number; D: number };
}
