/**
 * Fused bias + activation + gain + clamp on tfjs-webgpu: kernels 'SsgBiasAct' (forward) and
 * 'SsgBiasActGrad' (d/dx), their gradients, and the plain-tfjs reference (src/models/ops/bias-act.ts).
 *
 * The reference takes 1 (bias) + 5 (0.6 v + 0.4 |v|, times gain) elementwise passes forward and about twice
 * that backward, each a full read and write of the activation tensor; the kernel takes one pass each way
 * (plus the per-channel sum of channel-sum.ts for the bias gradient).
 *
 * Second order (the R1 penalty differentiates the discriminator's input gradient w.r.t. its weights):
 * 'SsgBiasActGrad' computes dx = dy * m(x + b) with m piecewise constant, so its gradient w.r.t. dy is the
 * same kernel applied to the incoming gradient, and w.r.t. x and b it is zero, exactly as the reference's
 * (whose Step ops have zero gradient).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import commonWgsl from '../../../shaders/bias_act_common.wgsl?raw';
import forwardWgsl from '../../../shaders/bias_act.wgsl?raw';
import gradWgsl from '../../../shaders/bias_act_grad.wgsl?raw';
import type { BiasActParams } from '../../models/ops/bias-act.ts';
import { CHANNEL_SUM } from './channel-sum.ts';
import { maxBindingBytes, numberAttr, requireInput, ssgProgram, webgpuBackendOf } from './program.ts';
import { packUniforms, type UniformField, type UniformValues } from './uniforms.ts';

export { biasAct as biasActReference } from '../../models/ops/bias-act.ts';

export const BIAS_ACT = 'SsgBiasAct';
export const BIAS_ACT_GRAD = 'SsgBiasActGrad';

/** Must match `struct BiasActParams` in shaders/bias_act_common.wgsl (tested). */
export const BIAS_ACT_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'channels', type: 'i32' },
  { name: 'slope', type: 'f32' },
  { name: 'gain', type: 'f32' },
  { name: 'clamp', type: 'f32' },
] as const satisfies readonly UniformField[];

/** The WGSL each program compiles, exported for the layout test. */
export const BIAS_ACT_WGSL = {
  common: commonWgsl,
  forward: commonWgsl + forwardWgsl,
  grad: commonWgsl + gradWgsl,
} as const;

/** Kernel attributes: the params as plain numbers (clamp -1 = none). */
export function biasActAttrs(p: BiasActParams): tf.NamedAttrMap {
  return { slope: p.slope, gain: p.gain, clamp: p.clamp ?? -1 };
}

/** Why the kernel cannot take this shape on this device, or null when it can. */
export function biasActUnsupportedReason(gpu: WebGPUBackend, xShape: readonly number[], biasLength: number): string | null {
  if (xShape.length < 1) return 'x must have a channel axis';
  if (xShape[xShape.length - 1] !== biasLength) return 'bias length differs from the channel count';
  if (biasLength < 1) return 'no channels';
  if (xShape.reduce((a, b) => a * b, 1) * 4 > maxBindingBytes(gpu)) return 'x exceeds the storage binding limit';
  return null;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function run(gpu: WebGPUBackend, key: 'forward' | 'grad', names: string[], inputs: tf.TensorInfo[], attrs: tf.NamedAttrMap | undefined): tf.TensorInfo {
  const x = inputs[names.indexOf('x')];
  if (!x) throw new Error(`${BIAS_ACT}: missing x`);
  const count = x.shape.reduce((a, b) => a * b, 1);
  const values: UniformValues<typeof BIAS_ACT_UNIFORMS> = {
    count,
    channels: x.shape[x.shape.length - 1] ?? 1,
    slope: numberAttr(attrs, 'slope'),
    gain: numberAttr(attrs, 'gain'),
    clamp: numberAttr(attrs, 'clamp'),
  };
  const program = ssgProgram({
    key: `ssgBiasAct_${key}`,
    code: BIAS_ACT_WGSL[key],
    variableNames: names,
    outputShape: [...x.shape],
    invocations: count,
    uniforms: BIAS_ACT_UNIFORMS,
  });
  return gpu.runWebGPUProgram(program, inputs, 'float32', packUniforms(BIAS_ACT_UNIFORMS, values));
}

function biasActKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const x = requireInput(inputs, 'x', -1);
  const b = requireInput(inputs, 'b', 1);
  return run(webgpuBackendOf(backend), 'forward', ['x', 'b'], [x, b], attrs);
}

function biasActGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const dy = requireInput(inputs, 'dy', -1);
  const x = requireInput(inputs, 'x', -1);
  const b = requireInput(inputs, 'b', 1);
  return run(webgpuBackendOf(backend), 'grad', ['dy', 'x', 'b'], [dy, x, b], attrs);
}

export const biasActKernelConfig: tf.KernelConfig = { kernelName: BIAS_ACT, backendName: 'webgpu', kernelFunc: biasActKernel };
export const biasActGradKernelConfig: tf.KernelConfig = { kernelName: BIAS_ACT_GRAD, backendName: 'webgpu', kernelFunc: biasActGradKernel };

/** dx through the grad kernel (recorded on the tape, so it can be differentiated again); db sums it per channel. */
function gradOf(dy: tf.Tensor, x: tf.Tensor, b: tf.Tensor, attrs: tf.NamedAttrMap): { dx: tf.Tensor; db: () => tf.Tensor } {
  const dx = tf.engine().runKernel<tf.Tensor>(BIAS_ACT_GRAD, { dy, x, b }, attrs);
  return { dx, db: () => tf.engine().runKernel<tf.Tensor>(CHANNEL_SUM, { x: dx }) };
}

export const biasActGradConfig: tf.GradConfig = {
  kernelName: BIAS_ACT,
  inputsToSave: ['x', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [x, b] = saved;
    if (!x || !b || Array.isArray(dy)) throw new Error(`${BIAS_ACT}: unexpected gradient inputs`);
    const { dx, db } = gradOf(dy, x, b, attrs as tf.NamedAttrMap);
    return { x: () => dx, b: db };
  },
};

export const biasActGradGradConfig: tf.GradConfig = {
  kernelName: BIAS_ACT_GRAD,
  inputsToSave: ['x', 'b'],
  gradFunc: (ddx, saved, attrs) => {
    const [x, b] = saved;
    if (!x || !b || Array.isArray(ddx)) throw new Error(`${BIAS_ACT_GRAD}: unexpected gradient inputs`);
    return {
      dy: () => tf.engine().runKernel<tf.Tensor>(BIAS_ACT_GRAD, { dy: ddx, x, b }, attrs as tf.NamedAttrMap),
      x: () => tf.zerosLike(x),
      b: () => tf.zerosLike(b),
    };
  },
};
