/**
 * Per-channel sum on tfjs-webgpu, kernel 'SsgChannelSum': x [..., C] -> [C], the sum over every axis but
 * the last (a bias gradient). Plain-tfjs reference: tf.sum(x, all axes but the last).
 *
 * Why a kernel: tfjs reduces over leading axes by transposing and running a workgroup tree reduction with
 * one workgroup per output; with a handful of channels that is a handful of workgroups, each full of
 * barriers, which SwiftShader runs as coroutine switches (measured: 4 sums of [16384, 4] took 7 s of a 34 s
 * iteration). Here each pass splits the rows into ~sqrt(rows) chunks, one invocation per (chunk, channel),
 * and a last pass adds the partial sums: 2 dispatches up to 65,536 rows (3 beyond), no barriers.
 * Gradient: d/dx = dy broadcast over the rows (stock ops), so it is differentiable to any order.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import channelSumWgsl from '../../../shaders/channel_sum.wgsl?raw';
import { maxBindingBytes, requireInput, ssgProgram, webgpuBackendOf } from './program.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

export const CHANNEL_SUM = 'SsgChannelSum';

/** Must match `struct ChannelSumParams` in shaders/channel_sum.wgsl (tested). */
export const CHANNEL_SUM_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'rows', type: 'i32' },
  { name: 'channels', type: 'i32' },
  { name: 'rowsPerChunk', type: 'i32' },
] as const satisfies readonly UniformField[];

export const CHANNEL_SUM_WGSL = { pass: channelSumWgsl } as const;

export function channelSumReference(x: tf.Tensor): tf.Tensor1D {
  return tf.sum(x, x.shape.map((_, i) => i).slice(0, -1)) as tf.Tensor1D;
}

export function channelSumUnsupportedReason(gpu: WebGPUBackend, shape: readonly number[]): string | null {
  if (shape.length < 1 || (shape[shape.length - 1] ?? 0) < 1) return 'x needs a non-empty channel axis';
  if (shape.some((d) => d < 1)) return 'x is empty';
  if (shape.reduce((a, b) => a * b, 1) * 4 > maxBindingBytes(gpu)) return 'x exceeds the storage binding limit';
  return null;
}

/** Rows each invocation adds in a first pass: about sqrt(rows), so a second pass of at most 256 rows ends it. */
export function rowsPerChunk(rows: number): number {
  return Math.max(8, Math.ceil(Math.sqrt(rows)));
}

function channelSumKernel({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const gpu = webgpuBackendOf(backend);
  const x = requireInput(inputs, 'x', -1);
  const channels = x.shape[x.shape.length - 1] ?? 1;
  let rows = x.shape.reduce((a, b) => a * b, 1) / channels;
  let current: tf.TensorInfo = x;
  // Each pass turns `rows` rows into ceil(rows / chunk); a single-row input still takes one pass (a copy)
  // so the output is always a fresh tensor of shape [C].
  do {
    const chunk = rows <= 256 ? rows : rowsPerChunk(rows);
    const outRows = Math.ceil(rows / chunk);
    const program = ssgProgram({
      key: 'ssgChannelSum',
      code: CHANNEL_SUM_WGSL.pass,
      variableNames: ['x'],
      outputShape: outRows === 1 ? [channels] : [outRows, channels],
      invocations: outRows * channels,
      uniforms: CHANNEL_SUM_UNIFORMS,
    });
    const uniforms = packUniforms(CHANNEL_SUM_UNIFORMS, { count: outRows * channels, rows, channels, rowsPerChunk: chunk });
    const next = gpu.runWebGPUProgram(program, [current], 'float32', uniforms);
    if (current !== x) gpu.disposeData(current.dataId);
    current = next;
    rows = outRows;
  } while (rows > 1);
  return current;
}

export const channelSumKernelConfig: tf.KernelConfig = { kernelName: CHANNEL_SUM, backendName: 'webgpu', kernelFunc: channelSumKernel };

export const channelSumGradConfig: tf.GradConfig = {
  kernelName: CHANNEL_SUM,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    if (!x || Array.isArray(dy)) throw new Error(`${CHANNEL_SUM}: unexpected gradient inputs`);
    const shape = x.shape.map((d, i) => (i === x.shape.length - 1 ? d : 1));
    return { x: () => tf.broadcastTo(tf.reshape(dy, shape), x.shape) };
  },
};
