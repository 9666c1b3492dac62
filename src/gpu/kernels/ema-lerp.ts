/**
 * The generator EMA update of one variable on tfjs-webgpu, kernel 'SsgEmaLerp':
 * ema' = source + (ema - source) * beta in one launch instead of tfjs's 3 (sub, mul, add), with the same
 * arithmetic in the same order. Plain-tfjs reference: `emaLerpReference` (what src/train/ema.ts did before).
 *
 * No gradient is registered: the EMA copy is updated by value and never differentiated.
 */
import * as tf from '@tensorflow/tfjs';
import emaLerpWgsl from '../../../shaders/ema_lerp.wgsl?raw';
import { flatUnsupportedReason, numberAttr, requireInput, ssgProgram, webgpuBackendOf } from './program.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

export const EMA_LERP = 'SsgEmaLerp';

/** Must match `struct EmaLerpParams` in shaders/ema_lerp.wgsl (tested). */
export const EMA_LERP_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'beta', type: 'f32' },
] as const satisfies readonly UniformField[];

export const EMA_LERP_WGSL = { lerp: emaLerpWgsl } as const;

export function emaLerpReference(ema: tf.Tensor, source: tf.Tensor, beta: number): tf.Tensor {
  return tf.tidy(() => source.add(ema.sub(source).mul(beta)));
}

/** Why the kernels cannot take a variable of this shape on this device, or null when they can. */
export const emaLerpUnsupportedReason = flatUnsupportedReason;

function emaLerpKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const gpu = webgpuBackendOf(backend);
  const ema = requireInput(inputs, 'ema', -1);
  const source = requireInput(inputs, 'source', -1);
  const count = ema.shape.reduce((a, b) => a * b, 1);
  if (source.shape.reduce((a, b) => a * b, 1) !== count) throw new Error(`${EMA_LERP}: ema and source differ in size`);
  const program = ssgProgram({
    key: 'ssgEmaLerp',
    code: EMA_LERP_WGSL.lerp,
    variableNames: ['ema', 'source'],
    outputShape: [...ema.shape],
    invocations: count,
    uniforms: EMA_LERP_UNIFORMS,
  });
  return gpu.runWebGPUProgram(program, [ema, source], 'float32', packUniforms(EMA_LERP_UNIFORMS, { count, beta: numberAttr(attrs, 'beta') }));
}

export const emaLerpKernelConfig: tf.KernelConfig = { kernelName: EMA_LERP, backendName: 'webgpu', kernelFunc: emaLerpKernel };
