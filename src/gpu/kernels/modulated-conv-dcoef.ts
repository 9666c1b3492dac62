/**
 * Demodulation coefficients of the modulated convolution on tfjs-webgpu: kernels 'SsgDemodCoef' (forward)
 * and 'SsgDemodCoefGrad' (d/dweight and d/dstyles in one kernel call), the gradient, and the plain-tfjs
 * reference (`demodulationCoefficients` in src/models/ops/modulated-conv.ts, re-exported here).
 *
 *   dcoef[n, o] = rsqrt(sum_i s[n, i]^2 * E[i, o] + 1e-8),   E[i, o] = sum_{kh, kw} W[kh, kw, i, o]^2
 *
 * Forward: 2 dispatches (energy, dcoef) instead of the reference's 6 ops. Backward, with
 * h[n, o] = -dy[n, o] * dcoef[n, o]^3:
 *   ds[n, i]     = s[n, i] * sum_o h[n, o] E[i, o]
 *   dW[k, i, o]  = W[k, i, o] * sum_n h[n, o] s[n, i]^2
 * in 4 small dispatches (h, energy, ds, dW; h is its own pass because a program that read dy, dcoef, s and
 * E would need 5 storage buffers, one more than compatibility mode allows). Not differentiable again.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import commonWgsl from '../../../shaders/modulated_conv_common.wgsl?raw';
import energyWgsl from '../../../shaders/modulated_conv_energy.wgsl?raw';
import dcoefWgsl from '../../../shaders/modulated_conv_dcoef.wgsl?raw';
import gradScaleWgsl from '../../../shaders/modulated_conv_dcoef_grad_scale.wgsl?raw';
import gradStylesWgsl from '../../../shaders/modulated_conv_dcoef_grad_styles.wgsl?raw';
import gradWeightWgsl from '../../../shaders/modulated_conv_dcoef_grad_weight.wgsl?raw';
import { maxBindingBytes, requireInput, ssgProgram, webgpuBackendOf } from './program.ts';
import { packUniforms, type UniformField, type UniformValues } from './uniforms.ts';

export { demodulationCoefficients as demodulationCoefficientsReference } from '../../models/ops/modulated-conv.ts';

export const DEMOD_COEF = 'SsgDemodCoef';
export const DEMOD_COEF_GRAD = 'SsgDemodCoefGrad';

/** Must match `struct DemodParams` in shaders/modulated_conv_common.wgsl (tested). */
export const DEMOD_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'batch', type: 'i32' },
  { name: 'inChannels', type: 'i32' },
  { name: 'outChannels', type: 'i32' },
  { name: 'taps', type: 'i32' },
] as const satisfies readonly UniformField[];

type Uniforms = UniformValues<typeof DEMOD_UNIFORMS>;

/** The WGSL each program compiles, exported for the layout test. */
export const DEMOD_WGSL = {
  common: commonWgsl,
  energy: commonWgsl + energyWgsl,
  dcoef: commonWgsl + dcoefWgsl,
  gradScale: commonWgsl + gradScaleWgsl,
  gradStyles: commonWgsl + gradStylesWgsl,
  gradWeight: commonWgsl + gradWeightWgsl,
} as const;

interface Dims {
  batch: number;
  inChannels: number;
  outChannels: number;
  taps: number;
}

function dims(weight: tf.TensorInfo, styles: tf.TensorInfo): Dims {
  const [kh = 0, kw = 0, cin = 0, cout = 0] = weight.shape;
  const [batch = 0, scin = 0] = styles.shape;
  if (scin !== cin) throw new Error(`${DEMOD_COEF}: styles have ${scin} channels, weight has ${cin} inputs`);
  return { batch, inChannels: cin, outChannels: cout, taps: kh * kw };
}

/** Why the kernel cannot take these shapes on this device, or null when it can. */
export function demodUnsupportedReason(gpu: WebGPUBackend, weightShape: readonly number[], stylesShape: readonly number[]): string | null {
  if (weightShape.length !== 4 || stylesShape.length !== 2) return 'weight must be [kh, kw, Cin, Cout] and styles [N, Cin]';
  if (weightShape[2] !== stylesShape[1]) return 'channel mismatch';
  const bytes = Math.max(weightShape.reduce((a, b) => a * b, 1), stylesShape.reduce((a, b) => a * b, 1)) * 4;
  if (bytes > maxBindingBytes(gpu)) return 'a tensor exceeds the storage binding limit';
  return null;
}

function run(
  gpu: WebGPUBackend,
  key: keyof typeof DEMOD_WGSL,
  variableNames: string[],
  inputs: tf.TensorInfo[],
  outputShape: number[],
  d: Dims,
  count: number,
): tf.TensorInfo {
  const values: Uniforms = { count, ...d };
  const program = ssgProgram({
    key: `ssgDemod_${key}`,
    code: DEMOD_WGSL[key],
    variableNames,
    outputShape,
    invocations: count,
    uniforms: DEMOD_UNIFORMS,
  });
  return gpu.runWebGPUProgram(program, inputs, 'float32', packUniforms(DEMOD_UNIFORMS, values));
}

function energy(gpu: WebGPUBackend, weight: tf.TensorInfo, d: Dims): tf.TensorInfo {
  return run(gpu, 'energy', ['w'], [weight], [d.inChannels, d.outChannels], d, d.inChannels * d.outChannels);
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function demodCoefKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const gpu = webgpuBackendOf(backend);
  const weight = requireInput(inputs, 'weight', 4);
  const styles = requireInput(inputs, 'styles', 2);
  const d = dims(weight, styles);
  const e = energy(gpu, weight, d);
  try {
    return run(gpu, 'dcoef', ['s', 'energy'], [styles, e], [d.batch, d.outChannels], d, d.batch * d.outChannels);
  } finally {
    gpu.disposeData(e.dataId);
  }
}

/** Outputs [dWeight, dStyles]. */
function demodCoefGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const gpu = webgpuBackendOf(backend);
  const dy = requireInput(inputs, 'dy', 2);
  const dcoef = requireInput(inputs, 'dcoef', 2);
  const weight = requireInput(inputs, 'weight', 4);
  const styles = requireInput(inputs, 'styles', 2);
  const d = dims(weight, styles);
  const nOut = d.batch * d.outChannels;
  const h = run(gpu, 'gradScale', ['dy', 'dcoef'], [dy, dcoef], [d.batch, d.outChannels], d, nOut);
  const e = energy(gpu, weight, d);
  try {
    const dStyles = run(gpu, 'gradStyles', ['h', 's', 'energy'], [h, styles, e], [...styles.shape], d, d.batch * d.inChannels);
    const dWeight = run(gpu, 'gradWeight', ['h', 's', 'w'], [h, styles, weight], [...weight.shape], d, d.inChannels * d.outChannels);
    return [dWeight, dStyles];
  } finally {
    gpu.disposeData(h.dataId);
    gpu.disposeData(e.dataId);
  }
}

export const demodCoefKernelConfig: tf.KernelConfig = {
  kernelName: DEMOD_COEF,
  backendName: 'webgpu',
  kernelFunc: demodCoefKernel,
};

export const demodCoefGradKernelConfig: tf.KernelConfig = {
  kernelName: DEMOD_COEF_GRAD,
  backendName: 'webgpu',
  kernelFunc: demodCoefGradKernel,
};

/** Both gradients come from one kernel call, made eagerly (see filteredLreluGradConfig for why that is safe). */
export const demodCoefGradConfig: tf.GradConfig = {
  kernelName: DEMOD_COEF,
  inputsToSave: ['weight', 'styles'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [weight, styles, dcoef] = saved;
    if (!weight || !styles || !dcoef || Array.isArray(dy)) throw new Error(`${DEMOD_COEF}: unexpected gradient inputs`);
    const grads = tf.engine().runKernel<tf.Tensor[]>(DEMOD_COEF_GRAD, { dy, dcoef, weight, styles });
    const [dWeight, dStyles] = grads;
    if (!dWeight || !dStyles) throw new Error(`${DEMOD_COEF_GRAD}: expected two outputs`);
    return { weight: () => dWeight, styles: () => dStyles };
  },
};
