/** What the benchmark page and the Node driver exchange for `selective-scan` and `seg-step` (plain JSON). */

/** One variant of `npm run bench -- selective-scan`: our WGSL kernel, or the plain-tfjs reference. */
export interface ScanBenchOptions {
  /** true: selectiveScanOp with our kernel; false: the same op with the kernels off (the reference). */
  kernels: boolean;
  /** Batch rows (images x 4 directions in SS2D), sequence length L, channels Dc, state size N. */
  batch: number;
  len: number;
  channels: number;
  states: number;
  iters: number;
  warmup: number;
}

export interface ScanBenchResult {
  kernels: boolean;
  adapter: string;
  compatibilityMode: boolean;
  /** Median wall-clock ms of a forward pass (ends with a readback of y). */
  forwardMs: number;
  /** Median wall-clock ms of forward + the gradients of all six operands (ends with their readback). */
  backwardMs: number;
  forwardIterMs: number[];
  backwardIterMs: number[];
  /** tf.memory().numTensors before and after the timed iterations. */
  tensorsBefore: number;
  tensorsAfter: number;
}

export type SegModelName = 'vmunet' | 'unet';

/** One variant of `npm run bench -- seg-step`. */
export interface SegStepBenchOptions {
  model: SegModelName;
  /** Our kernels (the scan kernel, and the autotune's conv/matmul choice) on, or stock tfjs ops only. */
  kernels: boolean;
  /** Preset of either model ('tiny' or 'small'). */
  preset: 'tiny' | 'small';
  size: number;
  channels: 1 | 3;
  batch: number;
  iters: number;
  warmup: number;
  /** Also time one step per kernel (tf.profile; needs Chromium's allow_unsafe_apis for GPU timestamps). */
  profileKernels: boolean;
}

export interface SegStepBenchResult {
  model: SegModelName;
  kernels: boolean;
  adapter: string;
  params: number;
  iterMs: number[];
  medianMs: number;
  /** GPU programs dispatched per step (WebGPU), or null. */
  launchesPerIter: number | null;
  tensorsBefore: number;
  tensorsAfter: number;
  /** GPU time and calls of one step per kernel name, largest first, when profileKernels was set (else []). */
  kernelTotals: { name: string; ms: number; calls: number }[];
}
