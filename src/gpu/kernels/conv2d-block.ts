/**
 * Register-blocked, barrier-free convolution programs for tfjs-webgpu, put in front of tfjs's Conv2D,
 * Conv2DBackpropInput and Conv2DBackpropFilter kernels (switch.ts) when the autotune measured them faster on
 * this adapter (src/gpu/autotune.ts):
 *
 * - forward (shaders/conv2d_block.wgsl): 4 output channels x 4 output pixels per invocation, with vec4 loads
 *   along the channels when both channel counts are multiples of 4 (conv2d_block_vec4.wgsl);
 * - input gradient (shaders/conv2d_grad_input_block.wgsl): 4 input channels x 4 input pixels per invocation;
 * - filter gradient (shaders/conv2d_grad_filter_block.wgsl, then shaders/channel_sum.wgsl): 4 x 4 channel
 *   blocks of the filter over chunks of the output rows, and one pass adding the chunks' partial filters;
 * each with a vec4 form (the *_vec4.wgsl files) for channel counts that are multiples of 4.
 *
 * Why: on CPU implementations of WebGPU (SwiftShader, lavapipe), tfjs's tiled programs lose their time in
 * workgroup barriers and the one-output-per-invocation programs in loads (2 per multiply-add); a 4 x 4 block
 * needs 8 loads per 16 multiply-adds. The profile of a GAN iteration on SwiftShader put the three
 * convolution kernels at about two thirds of the GPU time (2026-11-26).
 *
 * tfjs's gradients are unchanged (they call these kernels again, also for R1's second order); arguments the
 * programs do not take (NCHW, dilation, non-float32, bindings beyond the device limit) return null, and the
 * next program in line (naive, then tfjs's own) runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import forwardWgsl from '../../../shaders/conv2d_block.wgsl?raw';
import forwardVec4Wgsl from '../../../shaders/conv2d_block_vec4.wgsl?raw';
import gradInputWgsl from '../../../shaders/conv2d_grad_input_block.wgsl?raw';
import gradInputVec4Wgsl from '../../../shaders/conv2d_grad_input_block_vec4.wgsl?raw';
import gradFilterWgsl from '../../../shaders/conv2d_grad_filter_block.wgsl?raw';
import gradFilterVec4Wgsl from '../../../shaders/conv2d_grad_filter_block_vec4.wgsl?raw';
import { CHANNEL_SUM_UNIFORMS, CHANNEL_SUM_WGSL } from './channel-sum.ts';
import { CONV_GEOMETRY, type ConvAttrs } from './conv2d-naive.ts';
import { maxBindingBytes, ssgProgram, webgpuBackendOf } from './program.ts';
import { installInFront } from './switch.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

/** Must match `struct Conv2dBlockParams` in shaders/conv2d_block.wgsl (tested). */
export const CONV2D_BLOCK_UNIFORMS = [
  { name: 'count', type: 'i32' },
  ...CONV_GEOMETRY,
  { name: 'xBlocks', type: 'i32' },
  { name: 'cBlocks', type: 'i32' },
] as const satisfies readonly UniformField[];

/** Must match `struct Conv2dGradInputParams` in shaders/conv2d_grad_input_block.wgsl (tested). */
export const CONV2D_GRAD_INPUT_UNIFORMS = CONV2D_BLOCK_UNIFORMS;

/** Must match `struct Conv2dGradFilterParams` in shaders/conv2d_grad_filter_block.wgsl (tested). */
export const CONV2D_GRAD_FILTER_UNIFORMS = [
  { name: 'count', type: 'i32' },
  ...CONV_GEOMETRY,
  { name: 'ciBlocks', type: 'i32' },
  { name: 'coBlocks', type: 'i32' },
  { name: 'rowsPerSplit', type: 'i32' },
  { name: 'rows', type: 'i32' },
] as const satisfies readonly UniformField[];

export const CONV2D_BLOCK_WGSL = { forward: forwardWgsl, forwardVec4: forwardVec4Wgsl } as const;
export const CONV2D_GRAD_INPUT_WGSL = { gradInput: gradInputWgsl, gradInputVec4: gradInputVec4Wgsl } as const;
export const CONV2D_GRAD_FILTER_WGSL = { gradFilter: gradFilterWgsl, gradFilterVec4: gradFilterVec4Wgsl } as const;

/** Both channel counts multiples of 4: the vec4 forms of the programs (one load moves 4 channels). */
const vec4Channels = (info: tf.backend_util.Conv2DInfo): boolean => info.inChannels % 4 === 0 && info.outChannels % 4 === 0;

/**
 * Invocations the filter gradient's first pass aims for: enough workgroups (64 invocations each) to keep
 * every CPU thread busy and a GPU's cores fed, while each chunk still adds a few hundred products.
 */
const FILTER_GRAD_TARGET_INVOCATIONS = 4096;

const calls = { forward: 0, gradInput: 0, gradFilter: 0 };

/** How many calls took each blocked program so far (the tests check that they really ran). */
export function blockedConvCalls(): Readonly<typeof calls> {
  return { ...calls };
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const is4d = (s: readonly number[] | undefined): s is [number, number, number, number] => s?.length === 4;

/** The convolution's geometry, or null when the blocked programs do not take these arguments. */
function convInfo(gpu: WebGPUBackend, xShape: readonly number[] | undefined, filterShape: readonly number[] | undefined, attrs: ConvAttrs, tensors: readonly tf.TensorInfo[]): tf.backend_util.Conv2DInfo | null {
  if (!is4d(xShape) || !is4d(filterShape) || tensors.some((t) => t.dtype !== 'float32')) return null;
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') return null;
  const dil = attrs.dilations ?? 1;
  if ((typeof dil === 'number' ? dil : Math.max(...dil)) !== 1) return null;
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const outSize = info.batchSize * info.outHeight * info.outWidth * info.outChannels;
  if (outSize === 0 || size(xShape) === 0 || size(filterShape) === 0) return null;
  if (Math.max(outSize, size(xShape), size(filterShape)) * 4 > maxBindingBytes(gpu)) return null;
  return info;
}

function geometry(info: tf.backend_util.Conv2DInfo) {
  return {
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function blockedConv2d(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const gpu = webgpuBackendOf(args.backend);
  const x = args.inputs['x'];
  const filter = args.inputs['filter'];
  if (!x || !filter) return null;
  const info = convInfo(gpu, x.shape, filter.shape, args.attrs as unknown as ConvAttrs, [x, filter]);
  if (!info) return null;
  const xBlocks = Math.ceil(info.outWidth / 4);
  const cBlocks = Math.ceil(info.outChannels / 4);
  const count = info.batchSize * info.outHeight * xBlocks * cBlocks;
  // Channels in multiples of 4 on both sides: the vec4 form (one load moves 4 channels).
  const vec4 = vec4Channels(info);
  const program = ssgProgram({
    key: vec4 ? 'ssgConv2dBlockVec4' : 'ssgConv2dBlock',
    code: vec4 ? CONV2D_BLOCK_WGSL.forwardVec4 : CONV2D_BLOCK_WGSL.forward,
    variableNames: ['x', 'W'],
    outputShape: [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
    invocations: count,
    uniforms: CONV2D_BLOCK_UNIFORMS,
    components: vec4 ? 4 : 1,
  });
  calls.forward++;
  return gpu.runWebGPUProgram(program, [x, filter], 'float32', packUniforms(CONV2D_BLOCK_UNIFORMS, { count, ...geometry(info), xBlocks, cBlocks }));
}

function blockedConv2dGradInput(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const gpu = webgpuBackendOf(args.backend);
  const dy = args.inputs['dy'];
  const filter = args.inputs['filter'];
  const attrs = args.attrs as unknown as ConvAttrs;
  if (!dy || !filter) return null;
  const info = convInfo(gpu, attrs.inputShape, filter.shape, attrs, [dy, filter]);
  if (!info || size(dy.shape) !== info.batchSize * info.outHeight * info.outWidth * info.outChannels) return null;
  const sw = info.strideWidth;
  // Blocks of 4 columns of one stride phase (see the shader): strideW phases x groups of 4 within a phase.
  const xBlocks = sw * Math.ceil(Math.ceil(info.inWidth / sw) / 4);
  const cBlocks = Math.ceil(info.inChannels / 4);
  const count = info.batchSize * info.inHeight * xBlocks * cBlocks;
  const vec4 = vec4Channels(info);
  const program = ssgProgram({
    key: vec4 ? 'ssgConv2dGradInputBlockVec4' : 'ssgConv2dGradInputBlock',
    code: vec4 ? CONV2D_GRAD_INPUT_WGSL.gradInputVec4 : CONV2D_GRAD_INPUT_WGSL.gradInput,
    variableNames: ['dy', 'W'],
    outputShape: [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
    invocations: count,
    uniforms: CONV2D_GRAD_INPUT_UNIFORMS,
    components: vec4 ? 4 : 1,
  });
  calls.gradInput++;
  return gpu.runWebGPUProgram(program, [dy, filter], 'float32', packUniforms(CONV2D_GRAD_INPUT_UNIFORMS, { count, ...geometry(info), xBlocks, cBlocks }));
}

/** Chunks of output rows for the filter gradient's first pass: [splits, rowsPerSplit]. */
export function filterGradSplits(blocks: number, rows: number): { splits: number; rowsPerSplit: number } {
  const wanted = Math.min(rows, Math.max(1, Math.ceil(FILTER_GRAD_TARGET_INVOCATIONS / blocks)));
  const rowsPerSplit = Math.ceil(rows / wanted);
  return { splits: Math.ceil(rows / rowsPerSplit), rowsPerSplit };
}

function blockedConv2dGradFilter(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const gpu = webgpuBackendOf(args.backend);
  const x = args.inputs['x'];
  const dy = args.inputs['dy'];
  const attrs = args.attrs as unknown as ConvAttrs;
  if (!x || !dy) return null;
  const info = convInfo(gpu, x.shape, attrs.filterShape, attrs, [x, dy]);
  if (!info || size(dy.shape) !== info.batchSize * info.outHeight * info.outWidth * info.outChannels) return null;
  const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const filterSize = size(filterShape);
  const ciBlocks = Math.ceil(info.inChannels / 4);
  const coBlocks = Math.ceil(info.outChannels / 4);
  const blocks = info.filterHeight * info.filterWidth * ciBlocks * coBlocks;
  const rows = info.batchSize * info.outHeight;
  const { splits, rowsPerSplit } = filterGradSplits(blocks, rows);
  if (splits * filterSize * 4 > maxBindingBytes(gpu)) return null;
  const count = splits * blocks;
  const vec4 = vec4Channels(info);
  const first = ssgProgram({
    key: vec4 ? 'ssgConv2dGradFilterBlockVec4' : 'ssgConv2dGradFilterBlock',
    code: vec4 ? CONV2D_GRAD_FILTER_WGSL.gradFilterVec4 : CONV2D_GRAD_FILTER_WGSL.gradFilter,
    variableNames: ['x', 'dy'],
    outputShape: splits === 1 ? filterShape : [splits, ...filterShape],
    invocations: count,
    uniforms: CONV2D_GRAD_FILTER_UNIFORMS,
    components: vec4 ? 4 : 1,
  });
  calls.gradFilter++;
  const partial = gpu.runWebGPUProgram(first, [x, dy], 'float32', packUniforms(CONV2D_GRAD_FILTER_UNIFORMS, { count, ...geometry(info), ciBlocks, coBlocks, rowsPerSplit, rows }));
  if (splits === 1) return partial;
  // Second pass: the per-channel sum's program over [splits, F] adds the partial filters in one go.
  const sum = ssgProgram({
    key: 'ssgChannelSum',
    code: CHANNEL_SUM_WGSL.pass,
    variableNames: ['x'],
    outputShape: filterShape,
    invocations: filterSize,
    uniforms: CHANNEL_SUM_UNIFORMS,
  });
  const out = gpu.runWebGPUProgram(sum, [partial], 'float32', packUniforms(CHANNEL_SUM_UNIFORMS, { count: filterSize, rows: splits, channels: filterSize, rowsPerChunk: splits }));
  gpu.disposeData(partial.dataId);
  return out;
}

/**
 * Put the blocked programs in front of tfjs's convolution kernels on webgpu (idempotent). Install before the
 * naive Conv2D so that, where both are tuned on, the blocked one is tried first.
 */
export function installBlockedConv2d(): void {
  installInFront('Conv2D', (t) => t.blockedConv2d, blockedConv2d);
  installInFront('Conv2DBackpropInput', (t) => t.blockedConvGradInput, blockedConv2dGradInput);
  installInFront('Conv2DBackpropFilter', (t) => t.blockedConvGradFilter, blockedConv2dGradFilter);
}
