/**
 * Fused Adam update on tfjs-webgpu: kernels 'SsgAdamMoment' (m' or v') and 'SsgAdamUpdate' (p'), and the
 * plain-tfjs reference with tfjs 4.22 AdamOptimizer's arithmetic (used on other backends, with our kernels
 * switched off, and by the tests).
 *
 * Why: tfjs's AdamOptimizer runs 13 elementwise programs per variable and step (mul, mul, add for m; mul,
 * square, mul, add for v; two bias-correction divisions, sqrt, add, div, mul, add for p) plus 4 per step for
 * its beta^t scalars. On Mesa's compatibility adapter each launch costs about a millisecond whatever its size,
 * and the GAN's variables are small, so the optimizer alone was about a third of an iteration's launches.
 * Here a step takes 3 launches per variable, or 2 when beta1 = 0 (StyleGAN's setting): then m' = g exactly,
 * the first moment is the gradient tensor itself (no pass), and the p' program recomputes v' from the old v.
 *
 * Why not 1: a tfjs program has one output, and compatibility mode allows 4 storage buffers per program
 * (output included), so p' cannot read p, g, m and v at once; writing m and v in place would need our own
 * pipelines outside tfjs's command stream and breaks whenever a buffer is shared by another tensor.
 *
 * No gradient is registered: an optimizer update is applied to values, never differentiated.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import commonWgsl from '../../../shaders/adam_update_common.wgsl?raw';
import momentWgsl from '../../../shaders/adam_moment.wgsl?raw';
import updateWgsl from '../../../shaders/adam_update.wgsl?raw';
import { flatUnsupportedReason, numberAttr, requireInput, ssgProgram, webgpuBackendOf } from './program.ts';
import { packUniforms, type UniformField, type UniformValues } from './uniforms.ts';

export const ADAM_MOMENT = 'SsgAdamMoment';
export const ADAM_UPDATE = 'SsgAdamUpdate';

/** Must match `struct AdamParams` in shaders/adam_update_common.wgsl (tested). */
export const ADAM_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'beta1', type: 'f32' },
  { name: 'beta2', type: 'f32' },
  { name: 'epsilon', type: 'f32' },
  { name: 'lr', type: 'f32' },
  { name: 'correction1', type: 'f32' },
  { name: 'correction2', type: 'f32' },
  { name: 'which', type: 'i32' },
] as const satisfies readonly UniformField[];

/** The WGSL each program compiles, exported for the layout test. */
export const ADAM_WGSL = {
  common: commonWgsl,
  moment: commonWgsl + momentWgsl,
  update: commonWgsl + updateWgsl,
} as const;

/** One step's hyper-parameters; the corrections are 1 - beta^t for this step's t (kept in float32 by the caller). */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  correction1: number;
  correction2: number;
}

export interface AdamResult {
  p: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
}

/** tfjs 4.22 AdamOptimizer.applyGradients for one variable, op for op (adam_optimizer.js). */
export function adamUpdateReference(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamStep): AdamResult {
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, s.beta1), tf.mul(g, 1 - s.beta1));
    const v1 = tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
    const mHat = tf.div(m1, s.correction1);
    const vHat = tf.div(v1, s.correction2);
    const p1 = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), s.epsilon)), -s.lr), p);
    return { p: p1, m: m1, v: v1 };
  });
}

/** Why the kernels cannot take a variable of this shape on this device, or null when they can. */
export const adamUnsupportedReason = flatUnsupportedReason;

/** Kernel attributes of a step (`which` is set per program by the op). */
export function adamAttrs(s: AdamStep, which: 1 | 2 | 0): tf.NamedAttrMap {
  return { beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon, lr: s.lr, correction1: s.correction1, correction2: s.correction2, which };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function run(gpu: WebGPUBackend, key: 'moment' | 'update', names: string[], inputs: tf.TensorInfo[], attrs: tf.NamedAttrMap | undefined): tf.TensorInfo {
  const first = inputs[0];
  if (!first) throw new Error(`${ADAM_UPDATE}: no inputs`);
  const count = first.shape.reduce((a, b) => a * b, 1);
  for (const t of inputs) {
    if (t.shape.reduce((a, b) => a * b, 1) !== count) throw new Error(`${ADAM_UPDATE}: inputs differ in size`);
  }
  const values: UniformValues<typeof ADAM_UNIFORMS> = {
    count,
    beta1: numberAttr(attrs, 'beta1'),
    beta2: numberAttr(attrs, 'beta2'),
    epsilon: numberAttr(attrs, 'epsilon'),
    lr: numberAttr(attrs, 'lr'),
    correction1: numberAttr(attrs, 'correction1'),
    correction2: numberAttr(attrs, 'correction2'),
    which: numberAttr(attrs, 'which'),
  };
  const program = ssgProgram({
    key: `ssgAdam_${key}`,
    code: ADAM_WGSL[key],
    variableNames: names,
    outputShape: [...first.shape],
    invocations: count,
    uniforms: ADAM_UNIFORMS,
  });
  return gpu.runWebGPUProgram(program, inputs, 'float32', packUniforms(ADAM_UNIFORMS, values));
}

function momentKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const moment = requireInput(inputs, 'moment', -1);
  const g = requireInput(inputs, 'g', -1);
  return run(webgpuBackendOf(backend), 'moment', ['moment', 'g'], [moment, g], attrs);
}

function updateKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const p = requireInput(inputs, 'p', -1);
  const m = requireInput(inputs, 'm', -1);
  const v = requireInput(inputs, 'v', -1);
  return run(webgpuBackendOf(backend), 'update', ['p', 'm', 'v'], [p, m, v], attrs);
}

export const adamMomentKernelConfig: tf.KernelConfig = { kernelName: ADAM_MOMENT, backendName: 'webgpu', kernelFunc: momentKernel };
export const adamUpdateKernelConfig: tf.KernelConfig = { kernelName: ADAM_UPDATE, backendName: 'webgpu', kernelFunc: updateKernel };

/** The kernel path: 2 launches when beta1 = 0 (m' is g itself), 3 otherwise. */
export function adamUpdateKernels(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamStep): AdamResult {
  const e = tf.engine();
  if (s.beta1 === 0) {
    // tfjs computes m' = m * 0 + g * 1 = g: the gradient is the new first moment, bit for bit.
    const p1 = e.runKernel<tf.Tensor>(ADAM_UPDATE, { p, m: g, v }, adamAttrs(s, 1));
    const v1 = e.runKernel<tf.Tensor>(ADAM_MOMENT, { moment: v, g }, adamAttrs(s, 2));
    return { p: p1, m: g, v: v1 };
  }
  const m1 = e.runKernel<tf.Tensor>(ADAM_MOMENT, { moment: m, g }, adamAttrs(s, 1));
  const v1 = e.runKernel<tf.Tensor>(ADAM_MOMENT, { moment: v, g }, adamAttrs(s, 2));
  const p1 = e.runKernel<tf.Tensor>(ADAM_UPDATE, { p, m: m1, v: v1 }, adamAttrs(s, 0));
  return { p: p1, m: m1, v: v1 };
}
