/**
 * SGD with momentum on tfjs-webgpu, kernel 'SsgSgdUpdate' (shaders/sgd_momentum.wgsl): the momentum buffer and
 * the parameter in 2 launches per variable instead of tfjs ops' 4 (6 with weight decay). The U-Net's default
 * optimizer (t-vMF paper: momentum 0.9, weight decay 1e-4); on a real GPU a segmenter's training step is
 * bound by program launches, so these count. `sgdUpdateReference` is the plain-tfjs arithmetic
 * ScheduledOptimizer runs on other backends, op for op.
 *
 * No gradient is registered: an optimizer update is applied to values, never differentiated.
 */
import * as tf from '@tensorflow/tfjs';
import sgdWgsl from '../../../shaders/sgd_momentum.wgsl?raw';
import { flatUnsupportedReason, numberAttr, requireInput, ssgProgram, webgpuBackendOf } from './program.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

export const SGD_UPDATE = 'SsgSgdUpdate';

/** Must match `struct SgdParams` in shaders/sgd_momentum.wgsl (tested). */
export const SGD_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'momentum', type: 'f32' },
  { name: 'weightDecay', type: 'f32' },
  { name: 'lr', type: 'f32' },
  { name: 'nesterov', type: 'i32' },
  { name: 'which', type: 'i32' },
] as const satisfies readonly UniformField[];

export const SGD_WGSL = { update: sgdWgsl } as const;

export interface SgdStep {
  lr: number;
  momentum: number;
  nesterov: boolean;
  /** L2 factor for this variable (0 where it is not decayed). */
  weightDecay: number;
}

/** ScheduledOptimizer's SGD arithmetic for one variable: the new value and momentum buffer. */
export function sgdUpdateReference(p: tf.Tensor, g: tf.Tensor, buf: tf.Tensor, s: SgdStep): { p: tf.Tensor; buf: tf.Tensor } {
  return tf.tidy(() => {
    const gd = s.weightDecay > 0 ? tf.add(g, tf.mul(p, s.weightDecay)) : g;
    const b1 = tf.add(tf.mul(buf, s.momentum), gd);
    const step = s.nesterov ? tf.add(gd, tf.mul(b1, s.momentum)) : b1;
    return { p: tf.sub(p, tf.mul(step, s.lr)), buf: b1 };
  });
}

/** Why the kernel cannot take a variable of this shape on this device, or null when it can. */
export const sgdUnsupportedReason = flatUnsupportedReason;

function sgdKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const gpu = webgpuBackendOf(backend);
  const p = requireInput(inputs, 'p', -1);
  const g = requireInput(inputs, 'g', -1);
  const buf = requireInput(inputs, 'buf', -1);
  const count = p.shape.reduce((a, b) => a * b, 1);
  for (const t of [g, buf]) if (t.shape.reduce((a, b) => a * b, 1) !== count) throw new Error(`${SGD_UPDATE}: inputs differ in size`);
  const program = ssgProgram({
    key: 'ssgSgdUpdate',
    code: SGD_WGSL.update,
    variableNames: ['p', 'g', 'buf'],
    outputShape: [...p.shape],
    invocations: count,
    uniforms: SGD_UNIFORMS,
  });
  const values = {
    count,
    momentum: numberAttr(attrs, 'momentum'),
    weightDecay: numberAttr(attrs, 'weightDecay'),
    lr: numberAttr(attrs, 'lr'),
    nesterov: numberAttr(attrs, 'nesterov'),
    which: numberAttr(attrs, 'which'),
  };
  return gpu.runWebGPUProgram(program, [p, g, buf], 'float32', packUniforms(SGD_UNIFORMS, values));
}

export const sgdUpdateKernelConfig: tf.KernelConfig = { kernelName: SGD_UPDATE, backendName: 'webgpu', kernelFunc: sgdKernel };

/** The kernel path: buf' then p' (which reads buf'). */
export function sgdUpdateKernels(p: tf.Tensor, g: tf.Tensor, buf: tf.Tensor, s: SgdStep): { p: tf.Tensor; buf: tf.Tensor } {
  const attrs = (which: 1 | 2): tf.NamedAttrMap => ({ momentum: s.momentum, weightDecay: s.weightDecay, lr: s.lr, nesterov: s.nesterov ? 1 : 0, which });
  const e = tf.engine();
  const b1 = e.runKernel<tf.Tensor>(SGD_UPDATE, { p, g, buf }, attrs(1));
  const p1 = e.runKernel<tf.Tensor>(SGD_UPDATE, { p, g, buf: b1 }, attrs(2));
  return { p: p1, buf: b1 };
}
