/** What the GPU test page reports to Playwright (tests/gpu/kernels.spec.ts); plain JSON. */

export interface CaseResult {
  name: string;
  passed: boolean;
  /** Worst relative error per compared quantity (value, d/dx, ...), see compare.ts for the metric. */
  errors: Record<string, number>;
  tolerance: number;
  /** Our kernel showed up in tf.profile's kernel names (null where the case has no kernel). */
  kernelUsed: boolean | null;
  /** tf.memory().numTensors after repeated calls minus before (must be 0). */
  leakedTensors: number;
  /** Backend tensor-data entries after minus before (catches leaked temporaries inside a kernel). */
  leakedDataIds: number;
  detail: string;
}

export interface BenchResult {
  name: string;
  /** Median milliseconds, warm (after warm-up), including one readback of the results. */
  kernelMs: number;
  referenceMs: number;
  /** referenceMs / kernelMs: > 1 means our kernel is faster. */
  speedup: number;
  runs: number;
}

export interface GpuPageInfo {
  backend: string;
  /** The limits of the device tfjs created that our kernels depend on (compat mode lowers them). */
  deviceLimits: Record<string, number>;
  adapter: string;
  compatibilityMode: boolean;
}
