/**
 * Which of our WebGPU paths are on: the SSG kernels as a whole (the benchmark switches them off to time the
 * same model on stock tfjs), and the per-adapter tuning the autotune picked (src/gpu/autotune.ts): our
 * barrier-free Conv2D (naive or register-blocked), convolution gradients and BatchMatMul instead of tfjs's
 * tiled, barrier-heavy programs. With the kernels off, the tuning is off too, so "stock" means tfjs exactly
 * as shipped.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTuning {
  /** Our barrier-free Conv2D (src/gpu/kernels/conv2d-naive.ts) instead of tfjs's tiled one. */
  naiveConv2d: boolean;
  /** Our barrier-free BatchMatMul (src/gpu/kernels/matmul-naive.ts) instead of tfjs's programs. */
  naiveMatMul: boolean;
  /** Our register-blocked Conv2D (src/gpu/kernels/conv2d-block.ts); takes precedence over naiveConv2d. */
  blockedConv2d: boolean;
  /** Our register-blocked Conv2DBackpropInput (the input gradient) instead of tfjs's. */
  blockedConvGradInput: boolean;
  /** Our two-pass register-blocked Conv2DBackpropFilter (the filter gradient) instead of tfjs's. */
  blockedConvGradFilter: boolean;
  /** Our barrier-free Sum and Mean over a block of axes (src/gpu/kernels/reduce.ts) instead of tfjs's trees. */
  flatReduce: boolean;
  /** Our register-blocked BatchMatMul (src/gpu/kernels/matmul-block.ts); takes precedence over naiveMatMul. */
  blockedMatMul: boolean;
}

export const STOCK_TUNING: Readonly<KernelTuning> = Object.freeze({
  naiveConv2d: false,
  naiveMatMul: false,
  blockedConv2d: false,
  blockedConvGradInput: false,
  blockedConvGradFilter: false,
  flatReduce: false,
  blockedMatMul: false,
});

/** True when `t` departs from tfjs's defaults anywhere. */
export function isTuned(t: KernelTuning): boolean {
  return (Object.keys(STOCK_TUNING) as Array<keyof KernelTuning>).some((k) => t[k]);
}

let enabled = true;
let tuning: KernelTuning = { ...STOCK_TUNING };

export function ssgKernelsEnabled(): boolean {
  return enabled;
}

/** Switch our kernels and tuning off (or back on). For the benchmark's same-run comparison with stock ops. */
export function setSsgKernelsEnabled(on: boolean): void {
  enabled = on;
}

export function setKernelTuning(t: Partial<KernelTuning>): void {
  tuning = { ...STOCK_TUNING, ...t };
}

/** The tuning in effect now (stock while the kernels are switched off). */
export function activeTuning(): KernelTuning {
  return enabled ? tuning : STOCK_TUNING;
}

type Alternative = (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | null;

const installed = new Map<string, Array<{ wanted: (t: KernelTuning) => boolean; alternative: Alternative }>>();

/**
 * Put `alternative` in front of tfjs's own webgpu kernel `kernelName` (idempotent per alternative): it runs
 * while `wanted(activeTuning())` holds and returns a result; otherwise (or when it returns null because the
 * arguments do not suit it) the next alternative installed for that kernel is tried, in installation order,
 * and finally tfjs's kernel. The op, its gradient and every caller stay the same.
 */
/**
 * Whether every input's GPU buffer really holds float32. tfjs-webgpu casts bool and int32 to float32 without
 * a copy (nothing is lost), so such a tensor says float32 while its buffer still holds i32 words, and tfjs
 * declares a program's inputs by the buffer's type. Our programs read f32: given one of those, the shader
 * fails to compile and the result is garbage (seen: the segmenter's pooled Dice counts, summed over a cast
 * threshold mask, came back as zeros). Such inputs go to tfjs's own kernel.
 */
function storedAsFloat32(args: Parameters<tf.KernelFunc>[0]): boolean {
  const storage = (args.backend as { tensorMap?: { get: (id: object) => { dtype?: string } | undefined } }).tensorMap;
  if (!storage) return true;
  return Object.values(args.inputs).every((t) => !t || (storage.get(t.dataId)?.dtype ?? t.dtype) === 'float32');
}

export function installInFront(kernelName: string, wanted: (t: KernelTuning) => boolean, alternative: Alternative): void {
  const list = installed.get(kernelName);
  if (list) {
    if (!list.some((e) => e.alternative === alternative)) list.push({ wanted, alternative });
    return;
  }
  const config = tf.getKernel(kernelName, 'webgpu');
  if (!config) return;
  const alternatives = [{ wanted, alternative }];
  installed.set(kernelName, alternatives);
  const stock = config.kernelFunc;
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({
    kernelName,
    backendName: 'webgpu',
    setupFunc: config.setupFunc,
    disposeFunc: config.disposeFunc,
    kernelFunc: (args) => {
      const t = activeTuning();
      if (!storedAsFloat32(args)) return stock(args);
      for (const a of alternatives) {
        if (!a.wanted(t)) continue;
        const out = a.alternative(args);
        if (out) return out;
      }
      return stock(args);
    },
  });
}
