/**
 * Our own WGSL kernels for the generator's hot ops, and the two ops the models call.
 *
 * `registerSsgKernels()` registers every kernel and gradient from the explicit lists below (idempotent).
 * `filteredLreluOp`, `demodulationCoefficientsOp`, `biasActOp`, `selectiveScanOp`, `adamUpdateOp`, `sgdUpdateOp` and `emaLerpOp` have the same signatures as the plain-tfjs references;
 * on the 'webgpu' backend, once registered, they run our kernels through `tf.engine().runKernel` (so tf.grads,
 * tf.profile and the tape see one op with its own gradient); on every other backend, or for arguments the
 * kernel cannot take on this device (see the *UnsupportedReason functions), they call the reference.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { FilteredLreluParams } from '../../models/ops/filtered-lrelu.ts';
import {
  FILTERED_LRELU,
  filteredLreluAttrs,
  filteredLreluGradConfig,
  filteredLreluGradKernelConfig,
  filteredLreluKernelConfig,
  filteredLreluReference,
  filteredLreluUnsupportedReason,
} from './filtered-lrelu.ts';
import {
  BIAS_ACT,
  biasActAttrs,
  biasActGradConfig,
  biasActGradGradConfig,
  biasActGradKernelConfig,
  biasActKernelConfig,
  biasActReference,
  biasActUnsupportedReason,
} from './bias-act.ts';
import type { BiasActParams } from '../../models/ops/bias-act.ts';
import { installBlockedConv2d } from './conv2d-block.ts';
import { installNaiveConv2d } from './conv2d-naive.ts';
import { installBlockedMatMul } from './matmul-block.ts';
import { installNaiveMatMul } from './matmul-naive.ts';
import { installFlatReduce } from './reduce.ts';
import { ssgKernelsEnabled } from './switch.ts';
import {
  CHANNEL_SUM,
  channelSumGradConfig,
  channelSumKernelConfig,
  channelSumReference,
  channelSumUnsupportedReason,
} from './channel-sum.ts';
import {
  DEMOD_COEF,
  demodCoefGradConfig,
  demodCoefGradKernelConfig,
  demodCoefKernelConfig,
  demodulationCoefficientsReference,
  demodUnsupportedReason,
} from './modulated-conv-dcoef.ts';
import {
  SELECTIVE_SCAN,
  selectiveScanGradConfig,
  selectiveScanGradKernelConfig,
  selectiveScanKernelConfig,
  selectiveScanReference,
  selectiveScanUnsupportedReason,
} from './selective-scan.ts';
import { selectiveScanShapes } from '../../models/ops/selective-scan.ts';
import {
  ADAM_MOMENT,
  ADAM_UPDATE,
  adamMomentKernelConfig,
  adamUnsupportedReason,
  adamUpdateKernelConfig,
  adamUpdateKernels,
  adamUpdateReference,
  type AdamResult,
  type AdamStep,
} from './adam-update.ts';
import { SGD_UPDATE, sgdUnsupportedReason, sgdUpdateKernelConfig, sgdUpdateKernels, sgdUpdateReference, type SgdStep } from './sgd-update.ts';
import { EMA_LERP, emaLerpKernelConfig, emaLerpReference, emaLerpUnsupportedReason } from './ema-lerp.ts';

export { FILTERED_LRELU, FILTERED_LRELU_GRAD } from './filtered-lrelu.ts';
export { DEMOD_COEF, DEMOD_COEF_GRAD } from './modulated-conv-dcoef.ts';
export { BIAS_ACT, BIAS_ACT_GRAD } from './bias-act.ts';
export { setSsgKernelsEnabled, setKernelTuning, activeTuning, type KernelTuning } from './switch.ts';
export { CHANNEL_SUM } from './channel-sum.ts';
export { SELECTIVE_SCAN, SELECTIVE_SCAN_GRAD } from './selective-scan.ts';
export { ADAM_MOMENT, ADAM_UPDATE, type AdamResult, type AdamStep } from './adam-update.ts';
export { SGD_UPDATE, type SgdStep } from './sgd-update.ts';
export { EMA_LERP } from './ema-lerp.ts';

const KERNELS: readonly tf.KernelConfig[] = [
  filteredLreluKernelConfig,
  filteredLreluGradKernelConfig,
  demodCoefKernelConfig,
  demodCoefGradKernelConfig,
  biasActKernelConfig,
  biasActGradKernelConfig,
  channelSumKernelConfig,
  selectiveScanKernelConfig,
  selectiveScanGradKernelConfig,
  adamMomentKernelConfig,
  adamUpdateKernelConfig,
  sgdUpdateKernelConfig,
  emaLerpKernelConfig,
];

const GRADIENTS: readonly tf.GradConfig[] = [filteredLreluGradConfig, demodCoefGradConfig, biasActGradConfig, biasActGradGradConfig, channelSumGradConfig, selectiveScanGradConfig];

/**
 * Registers all SSG kernels for 'webgpu' and their gradients, and puts the blocked and naive convolution and
 * the naive BatchMatMul dispatchers in front of tfjs's (they only act when the autotune chose them); calling it
 * again does nothing.
 */
export function registerSsgKernels(): void {
  installBlockedMatMul(); // before the naive BatchMatMul: tried first where both are tuned on
  installNaiveMatMul();
  installBlockedConv2d(); // before the naive Conv2D: tried first where both are tuned on
  installNaiveConv2d();
  installFlatReduce();
  for (const k of KERNELS) {
    if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
  }
  for (const g of GRADIENTS) {
    if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
  }
}

/** The active backend when it is WebGPU and `kernelName` is registered for it (and not switched off), else null. */
function ssgBackend(kernelName: string): WebGPUBackend | null {
  if (!ssgKernelsEnabled() || tf.getBackend() !== 'webgpu' || !tf.getKernel(kernelName, 'webgpu')) return null;
  const backend = tf.backend();
  return backend instanceof WebGPUBackend ? backend : null;
}

/** Same contract as `filteredLrelu` (src/models/ops/filtered-lrelu.ts). */
export function filteredLreluOp(x: tf.Tensor4D, bias: tf.Tensor1D, p: FilteredLreluParams): tf.Tensor4D {
  const gpu = ssgBackend(FILTERED_LRELU);
  if (!gpu || x.dtype !== 'float32' || bias.dtype !== 'float32' || filteredLreluUnsupportedReason(gpu, x.shape, p)) {
    return filteredLreluReference(x, bias, p);
  }
  return tf.engine().runKernel<tf.Tensor4D>(FILTERED_LRELU, { x, bias }, filteredLreluAttrs(p));
}

/** Same contract as `demodulationCoefficients` (src/models/ops/modulated-conv.ts). */
export function demodulationCoefficientsOp(weight: tf.Tensor4D, styles: tf.Tensor2D): tf.Tensor2D {
  const gpu = ssgBackend(DEMOD_COEF);
  if (!gpu || weight.dtype !== 'float32' || styles.dtype !== 'float32' || demodUnsupportedReason(gpu, weight.shape, styles.shape)) {
    return demodulationCoefficientsReference(weight, styles);
  }
  return tf.engine().runKernel<tf.Tensor2D>(DEMOD_COEF, { weight, styles });
}

/** Same contract as `biasAct` (src/models/ops/bias-act.ts). */
export function biasActOp<T extends tf.Tensor>(x: T, bias: tf.Tensor1D | null, p: BiasActParams): T {
  const gpu = ssgBackend(BIAS_ACT);
  const channels = x.shape[x.shape.length - 1] ?? 0;
  if (!gpu || x.dtype !== 'float32' || (bias && bias.dtype !== 'float32') || biasActUnsupportedReason(gpu, x.shape, bias?.shape[0] ?? channels)) {
    return biasActReference(x, bias, p);
  }
  return tf.tidy(() => {
    const b = bias ?? tf.zeros([channels]);
    return tf.engine().runKernel<T>(BIAS_ACT, { x, b }, biasActAttrs(p));
  });
}

/** Sum over every axis but the last (a bias gradient): x [..., C] -> [C]. */
export function channelSumOp(x: tf.Tensor): tf.Tensor1D {
  const gpu = ssgBackend(CHANNEL_SUM);
  if (!gpu || x.dtype !== 'float32' || channelSumUnsupportedReason(gpu, x.shape)) return channelSumReference(x);
  return tf.engine().runKernel<tf.Tensor1D>(CHANNEL_SUM, { x });
}

/**
 * Same contract as `selectiveScan` (src/models/ops/selective-scan.ts): y [batch, L, Dc] from x, delta
 * [batch, L, Dc], A [Dc, N], B, C [batch, L, N], D [Dc]. The kernel takes the operands packed in three
 * (see selective-scan.ts); the packing is ordinary tfjs concats, so gradients reach all six.
 */
export function selectiveScanOp(x: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D, D: tf.Tensor1D): tf.Tensor3D {
  selectiveScanShapes(x, delta, A, B, C, D);
  const gpu = ssgBackend(SELECTIVE_SCAN);
  const floats = [x, delta, A, B, C, D].every((t) => t.dtype === 'float32');
  if (!gpu || !floats || selectiveScanUnsupportedReason(gpu, x.shape, A.shape)) return selectiveScanReference(x, delta, A, B, C, D);
  return tf.tidy(() => {
    const xd = tf.concat([x, delta], 2);
    const bc = tf.concat([B, C], 2);
    const ad = tf.concat([A, tf.reshape(D, [-1, 1])], 1);
    return tf.engine().runKernel<tf.Tensor3D>(SELECTIVE_SCAN, { xd, bc, ad });
  });
}

/**
 * One Adam step of one variable (same contract as `adamUpdateReference` in adam-update.ts): the new value and
 * moments, fresh tensors except that with beta1 = 0 on the kernel path the new first moment is `g` itself.
 */
export function adamUpdateOp(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamStep): AdamResult {
  const gpu = ssgBackend(ADAM_UPDATE) && ssgBackend(ADAM_MOMENT);
  const floats = [p, g, m, v].every((t) => t.dtype === 'float32');
  const sameSize = [g, m, v].every((t) => t.size === p.size);
  if (!gpu || !floats || !sameSize || adamUnsupportedReason(gpu, p.shape)) return adamUpdateReference(p, g, m, v, s);
  return adamUpdateKernels(p, g, m, v, s);
}

/** One SGD-with-momentum step of one variable (same contract as `sgdUpdateReference` in sgd-update.ts). */
export function sgdUpdateOp(p: tf.Tensor, g: tf.Tensor, buf: tf.Tensor, s: SgdStep): { p: tf.Tensor; buf: tf.Tensor } {
  const gpu = ssgBackend(SGD_UPDATE);
  const floats = [p, g, buf].every((t) => t.dtype === 'float32');
  const sameSize = [g, buf].every((t) => t.size === p.size);
  if (!gpu || !floats || !sameSize || sgdUnsupportedReason(gpu, p.shape)) return sgdUpdateReference(p, g, buf, s);
  return sgdUpdateKernels(p, g, buf, s);
}

/** The EMA update of one variable: source + (ema - source) * beta (see ema-lerp.ts). */
export function emaLerpOp(ema: tf.Tensor, source: tf.Tensor, beta: number): tf.Tensor {
  const gpu = ssgBackend(EMA_LERP);
  if (!gpu || ema.dtype !== 'float32' || source.dtype !== 'float32' || ema.size !== source.size || emaLerpUnsupportedReason(gpu, ema.shape)) {
    return emaLerpReference(ema, source, beta);
  }
  return tf.engine().runKernel<tf.Tensor>(EMA_LERP, { ema, source }, { beta });
}
