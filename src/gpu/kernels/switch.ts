/**
 * Which of our WebGPU paths are on: the SSG kernels as a whole (the benchmark switches them off to time the
 * same model on stock tfjs), and the per-adapter tuning the autotune picked (src/gpu/autotune.ts): our naive
 * Conv2D and BatchMatMul programs instead of tfjs's tiled, barrier-heavy ones. With the kernels
 * off, the tuning is off too, so "stock" means tfjs exactly as shipped.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTuning {
  /** Our barrier-free Conv2D (src/gpu/kernels/conv2d-naive.ts) instead of tfjs's tiled one. */
  naiveConv2d: boolean;
  /** Our barrier-free BatchMatMul (src/gpu/kernels/matmul-naive.ts) instead of tfjs's programs. */
  naiveMatMul: boolean;
}

export const STOCK_TUNING: Readonly<KernelTuning> = Object.freeze({ naiveConv2d: false, naiveMatMul: false });

let enabled = true;
let tuning: KernelTuning = { ...STOCK_TUNING };

export function ssgKernelsEnabled(): boolean {
  return enabled;
}

/** Switch our kernels and tuning off (or back on). For the benchmark's same-run comparison with stock ops. */
export function setSsgKernelsEnabled(on: boolean): void {
  enabled = on;
}

export function setKernelTuning(t: KernelTuning): void {
  tuning = { ...t };
}

/** The tuning in effect now (stock while the kernels are switched off). */
export function activeTuning(): KernelTuning {
  return enabled ? tuning : STOCK_TUNING;
}

const installed = new Set<string>();

/**
 * Put `alternative` in front of tfjs's own webgpu kernel `kernelName` (idempotent): it runs while
 * `wanted(activeTuning())` holds and returns a result; otherwise (or when it returns null because the
 * arguments do not suit it) tfjs's kernel runs. The op, its gradient and every caller stay the same.
 */
export function installInFront(kernelName: string, wanted: (t: KernelTuning) => boolean, alternative: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | null): void {
  if (installed.has(kernelName)) return;
  const config = tf.getKernel(kernelName, 'webgpu');
  if (!config) return;
  installed.add(kernelName);
  const stock = config.kernelFunc;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({
    kernelName,
    backendName: 'webgpu',
    setupFunc: config.setupFunc,
    disposeFunc: config.disposeFunc,
    kernelFunc: (args) => (wanted(activeTuning()) ? alternative(args) : null) ?? stock(args),
  });
}
