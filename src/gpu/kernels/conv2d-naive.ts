/**
 * A barrier-free Conv2D for tfjs-webgpu (shaders/conv2d_naive.wgsl), put in front of tfjs's kernel the same
 * way as the naive BatchMatMul (matmul-naive.ts): it runs when the active tuning asks for it (switch.ts)
 * and the arguments suit it (NHWC, no dilation, float32), and tfjs's own kernel runs otherwise. tfjs's
 * gradient (Conv2DBackpropInput / Conv2DBackpropFilter) is unchanged.
 *
 * tfjs ships a naive Conv2D too (flag WEBGPU_USE_NAIVE_CONV2D_DEBUG), but it is a debug path: compared with
 * the tiled program on SwiftShader (2026-11-26) it gave wrong values for a 3x3 'same' convolution of
 * [3, 11, 9, 5] (relative error ~1), so we use our own.
 */
import * as tf from '@tensorflow/tfjs';
import conv2dWgsl from '../../../shaders/conv2d_naive.wgsl?raw';
import { maxBindingBytes, ssgProgram, webgpuBackendOf } from './program.ts';
import { installInFront } from './switch.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

const CONV2D = 'Conv2D';

/** The convolution's geometry, in this order after `count`, in every conv program's uniforms (naive and blocked). */
export const CONV_GEOMETRY = [
  { name: 'inH', type: 'i32' },
  { name: 'inW', type: 'i32' },
  { name: 'inC', type: 'i32' },
  { name: 'outH', type: 'i32' },
  { name: 'outW', type: 'i32' },
  { name: 'outC', type: 'i32' },
  { name: 'kh', type: 'i32' },
  { name: 'kw', type: 'i32' },
  { name: 'strideH', type: 'i32' },
  { name: 'strideW', type: 'i32' },
  { name: 'padTop', type: 'i32' },
  { name: 'padLeft', type: 'i32' },
] as const satisfies readonly UniformField[];

/** Must match `struct Conv2dParams` in shaders/conv2d_naive.wgsl (tested). */
export const CONV2D_UNIFORMS = [{ name: 'count', type: 'i32' }, ...CONV_GEOMETRY] as const satisfies readonly UniformField[];

export const CONV2D_WGSL = { naive: conv2dWgsl } as const;

let naiveCalls = 0;

/** How many convolutions took the naive program so far (the tests check that it really ran). */
export function naiveConv2dCalls(): number {
  return naiveCalls;
}

/** A convolution kernel's attributes as tfjs passes them (the gradients add the shape they rebuild). */
export type ConvAttrs = {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: number[];
  filterShape?: number[];
};

function naiveConv2d(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as ConvAttrs;
  const gpu = webgpuBackendOf(backend);
  const x = inputs['x'];
  const filter = inputs['filter'];
  if (!x || !filter || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') return null;
  const dil = attrs.dilations ?? 1;
  if ((typeof dil === 'number' ? dil : Math.max(...dil)) !== 1) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const count = info.batchSize * info.outHeight * info.outWidth * info.outChannels;
  const largest = Math.max(count, x.shape.reduce((a, b) => a * b, 1), filter.shape.reduce((a, b) => a * b, 1));
  if (count === 0 || info.inChannels === 0 || largest * 4 > maxBindingBytes(gpu)) return null;
  const program = ssgProgram({
    key: 'ssgConv2dNaive',
    code: CONV2D_WGSL.naive,
    variableNames: ['x', 'W'],
    outputShape: [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
    invocations: count,
    uniforms: CONV2D_UNIFORMS,
  });
  const uniforms = packUniforms(CONV2D_UNIFORMS, {
    count,
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
  });
  naiveCalls++;
  return gpu.runWebGPUProgram(program, [x, filter], 'float32', uniforms);
}

/** Put our dispatcher in front of tfjs's Conv2D on webgpu (idempotent). */
export function installNaiveConv2d(): void {
  installInFront(CONV2D, (t) => t.naiveConv2d, naiveConv2d);
}
