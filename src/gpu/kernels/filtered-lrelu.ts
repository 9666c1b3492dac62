/**
 * Fused filtered leaky ReLU on tfjs-webgpu: kernels 'SsgFilteredLrelu' (forward) and 'SsgFilteredLreluGrad'
 * (d/dx), the gradient that ties them together, and the plain-tfjs reference they must match
 * (`filteredLrelu` in src/models/ops/filtered-lrelu.ts, re-exported here).
 *
 * Every pass is separable, one axis at a time (see shaders/filtered_lrelu_common.wgsl): the 2-D passes this
 * replaced read ceil(taps/up)^2 or taps^2 samples per position and were the largest GPU time of a GAN
 * iteration on SwiftShader once the convolutions were blocked (2026-11-26).
 * Forward: four dispatches per batch chunk instead of the reference's ~8 ops: bias + up FIR along x
 * (filtered_lrelu_up_x.wgsl), up FIR along y + activation into a temporary at the upsampled rate (_up_y),
 * down FIR + subsampling along x (_down_x) and along y (_down_y). Layers whose down filter is a single tap
 * with down = 1 (ToRGB) stop after _up_y. Backward: _up_x again (the pre-activation is recomputed, not
 * stored), the transposed down FIR along y (_grad_down_y) and along x times the activation's derivative
 * (_grad_down_x), the transposed up FIR along y (_grad_up_y) and along x (_grad_up_x); d bias = sum of d x
 * over N, H, W. The backward is itself not differentiable, which the generator does not need (no
 * path-length regulariser in StyleGAN3).
 *
 * Big batches run in chunks so the temporary stays within one storage binding (128 MiB in compatibility
 * mode), with `batchOffset`/`resultBase` uniforms addressing the full-batch tensors. Channel counts that are
 * multiples of 4 use vec4 variants of the same WGSL (see CHANNEL_VEC).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import commonWgsl from '../../../shaders/filtered_lrelu_common.wgsl?raw';
import upXWgsl from '../../../shaders/filtered_lrelu_up_x.wgsl?raw';
import upYWgsl from '../../../shaders/filtered_lrelu_up_y.wgsl?raw';
import downXWgsl from '../../../shaders/filtered_lrelu_down_x.wgsl?raw';
import downYWgsl from '../../../shaders/filtered_lrelu_down_y.wgsl?raw';
import gradDownXWgsl from '../../../shaders/filtered_lrelu_grad_down_x.wgsl?raw';
import gradDownYWgsl from '../../../shaders/filtered_lrelu_grad_down_y.wgsl?raw';
import gradUpYWgsl from '../../../shaders/filtered_lrelu_grad_up_y.wgsl?raw';
import gradUpXWgsl from '../../../shaders/filtered_lrelu_grad_up_x.wgsl?raw';
import { filteredLreluOutputSize, type FilteredLreluParams } from '../../models/ops/filtered-lrelu.ts';
import {
  boolAttr,
  maxBindingBytes,
  numberArrayAttr,
  numberAttr,
  requireInput,
  ssgProgram,
  webgpuBackendOf,
} from './program.ts';
import { CHANNEL_SUM } from './channel-sum.ts';
import { packUniforms, type UniformField, type UniformValues } from './uniforms.ts';

export { filteredLrelu as filteredLreluReference } from '../../models/ops/filtered-lrelu.ts';

export const FILTERED_LRELU = 'SsgFilteredLrelu';
export const FILTERED_LRELU_GRAD = 'SsgFilteredLreluGrad';
/** Taps per filter the kernel takes; StyleGAN3 uses 6 * up (12 or 24). */
export const MAX_FILTER_TAPS = 64;
/**
 * Floats per filter array in the uniforms (32 x vec4): the taps with `tapPad` = 3 * max(up, down) zeros on
 * each side, which the blocked programs read instead of testing tap indices (filtered_lrelu_common.wgsl).
 */
const FILTER_SLOTS = 128;

function tapPad(p: FilteredLreluParams): number {
  return 3 * Math.max(p.up, p.down);
}

/** Must match `struct FilteredLreluParams` in shaders/filtered_lrelu_common.wgsl (tested). */
export const FILTERED_LRELU_UNIFORMS = [
  { name: 'batchOffset', type: 'i32' },
  { name: 'count', type: 'i32' },
  { name: 'resultBase', type: 'i32' },
  { name: 'inH', type: 'i32' },
  { name: 'inW', type: 'i32' },
  { name: 'channelVecs', type: 'i32' },
  { name: 'tmpH', type: 'i32' },
  { name: 'tmpW', type: 'i32' },
  { name: 'outH', type: 'i32' },
  { name: 'outW', type: 'i32' },
  { name: 'up', type: 'i32' },
  { name: 'down', type: 'i32' },
  { name: 'padTop', type: 'i32' },
  { name: 'padLeft', type: 'i32' },
  { name: 'upTaps', type: 'i32' },
  { name: 'downTaps', type: 'i32' },
  { name: 'clampOn', type: 'i32' },
  { name: 'gain', type: 'f32' },
  { name: 'slope', type: 'f32' },
  { name: 'clampMax', type: 'f32' },
  { name: 'outScale', type: 'f32' },
  { name: 'tapPad', type: 'i32' },
  { name: 'upFilter', type: 'vec4f-array', length: FILTER_SLOTS / 4 },
  { name: 'downFilter', type: 'vec4f-array', length: FILTER_SLOTS / 4 },
] as const satisfies readonly UniformField[];

type Uniforms = UniformValues<typeof FILTERED_LRELU_UNIFORMS>;

/**
 * The only text the TS side adds to the .wgsl files: one alias line in front of each program, naming the
 * array element type that tfjs declares for it (`components` 1 or 4). With C divisible by 4 every load and
 * store moves 4 channels, which made both passes about 3x faster on SwiftShader.
 */
const CHANNEL_VEC = { 1: 'alias ChannelVec = f32;\n', 4: 'alias ChannelVec = vec4<f32>;\n' } as const;

/** The WGSL each program compiles (common part first, alias line not included), exported for the layout test. */
export const FILTERED_LRELU_WGSL = {
  common: commonWgsl,
  upX: commonWgsl + upXWgsl,
  upY: commonWgsl + upYWgsl,
  downX: commonWgsl + downXWgsl,
  downY: commonWgsl + downYWgsl,
  gradDownX: commonWgsl + gradDownXWgsl,
  gradDownY: commonWgsl + gradDownYWgsl,
  gradUpY: commonWgsl + gradUpYWgsl,
  gradUpX: commonWgsl + gradUpXWgsl,
} as const;

// ---- attributes: FilteredLreluParams <-> the kernel's NamedAttrMap (attrs hold plain numbers and arrays).

export function filteredLreluAttrs(p: FilteredLreluParams): tf.NamedAttrMap {
  return {
    up: p.up,
    down: p.down,
    upFilter: Array.from(p.upFilter),
    downFilter: Array.from(p.downFilter),
    padTop: p.padding.top,
    padBottom: p.padding.bottom,
    padLeft: p.padding.left,
    padRight: p.padding.right,
    gain: p.gain,
    slope: p.slope,
    clampOn: p.clamp !== null,
    clampMax: p.clamp ?? 0,
  };
}

function paramsFromAttrs(attrs: tf.NamedAttrMap | undefined): FilteredLreluParams {
  return {
    up: numberAttr(attrs, 'up'),
    down: numberAttr(attrs, 'down'),
    upFilter: Float32Array.from(numberArrayAttr(attrs, 'upFilter')),
    downFilter: Float32Array.from(numberArrayAttr(attrs, 'downFilter')),
    padding: {
      top: numberAttr(attrs, 'padTop'),
      bottom: numberAttr(attrs, 'padBottom'),
      left: numberAttr(attrs, 'padLeft'),
      right: numberAttr(attrs, 'padRight'),
    },
    gain: numberAttr(attrs, 'gain'),
    slope: numberAttr(attrs, 'slope'),
    clamp: boolAttr(attrs, 'clampOn') ? numberAttr(attrs, 'clampMax') : null,
  };
}

// ---- geometry and limits.

interface Geometry {
  n: number;
  inH: number;
  inW: number;
  c: number;
  tmpH: number;
  tmpW: number;
  outH: number;
  outW: number;
  /** Down filter is one tap and down = 1: the up pass along y writes the output itself. */
  singlePass: boolean;
  /** Channels per array element: 4 when C is a multiple of 4 (vec4 loads), else 1. */
  vec: 1 | 4;
}

function geometry(xShape: readonly number[], p: FilteredLreluParams): Geometry {
  const [n = 0, inH = 0, inW = 0, c = 0] = xShape;
  const ku = p.upFilter.length;
  const tmpH = inH * p.up + p.padding.top + p.padding.bottom - ku + 1;
  const tmpW = inW * p.up + p.padding.left + p.padding.right - ku + 1;
  return {
    n,
    inH,
    inW,
    c,
    tmpH,
    tmpW,
    outH: filteredLreluOutputSize(inH, p, 'height'),
    outW: filteredLreluOutputSize(inW, p, 'width'),
    singlePass: p.down === 1 && p.downFilter.length === 1,
    vec: c % 4 === 0 ? 4 : 1,
  };
}

/** Test hook: cap the temporary's bytes per chunk (null = the device's binding limit) to exercise chunking. */
let chunkBytesOverride: number | null = null;
export function overrideFilteredLreluChunkBytes(bytes: number | null): void {
  chunkBytesOverride = bytes;
}

/** Why the kernel cannot take these arguments on this device, or null when it can. */
export function filteredLreluUnsupportedReason(gpu: WebGPUBackend, xShape: readonly number[], p: FilteredLreluParams): string | null {
  const ints = [p.up, p.down, p.padding.top, p.padding.bottom, p.padding.left, p.padding.right];
  if (!ints.every(Number.isInteger) || p.up < 1 || p.down < 1) return 'up, down and padding must be integers, up/down >= 1';
  if (p.upFilter.length < 1 || p.downFilter.length < 1) return 'empty filter';
  if (p.upFilter.length > MAX_FILTER_TAPS || p.downFilter.length > MAX_FILTER_TAPS) return `more than ${MAX_FILTER_TAPS} taps`;
  if (Math.max(p.upFilter.length, p.downFilter.length) + 2 * tapPad(p) > FILTER_SLOTS) return 'up or down too large for the padded tap arrays';
  if (xShape.length !== 4) return 'x must be NHWC';
  const g = geometry(xShape, p);
  if (g.tmpH < p.downFilter.length || g.tmpW < p.downFilter.length || g.outH < 1 || g.outW < 1) return 'empty output';
  const limit = maxBindingBytes(gpu);
  const sample = Math.max(g.inH * g.inW, g.tmpH * g.tmpW, g.inH * g.tmpW, g.outH * g.outW) * g.c * 4;
  const whole = Math.max(g.inH * g.inW, g.outH * g.outW) * g.c * 4 * g.n;
  // x, dy, dx and the output are bound whole; the temporary is bound per chunk of at least one sample.
  if (whole > limit || sample > limit) return `a tensor exceeds the ${limit}-byte storage binding limit`;
  if (g.n * Math.max(g.inH * g.inW, g.tmpH * g.tmpW, g.inH * g.tmpW) * g.c >= 2 ** 31) return 'indices exceed i32';
  return null;
}

/** Samples per chunk so that the largest temporary (the upsampled map, or u when cropping) fits one binding. */
function chunkSize(gpu: WebGPUBackend, g: Geometry): number {
  const perSample = Math.max(g.tmpH, g.inH) * g.tmpW * g.c * 4;
  return Math.max(1, Math.min(g.n, Math.floor((chunkBytesOverride ?? maxBindingBytes(gpu)) / perSample)));
}

// ---- uniforms and dispatch.

type ChunkFields = 'batchOffset' | 'count' | 'resultBase';

function staticUniforms(g: Geometry, p: FilteredLreluParams): Omit<Uniforms, ChunkFields> {
  const ku = p.upFilter.length;
  const kd = p.downFilter.length;
  // Flipped taps: the shaders then compute plain sums for upfirdn2d's true convolution. `pad` zeros in
  // front (the rest of the array is zero too).
  const pad = tapPad(p);
  const zeros = new Array<number>(pad).fill(0);
  const upFilter = [...zeros, ...Array.from({ length: ku }, (_, i) => (p.upFilter[ku - 1 - i] ?? 0) * p.up)];
  const downFilter = [...zeros, ...Array.from({ length: kd }, (_, i) => p.downFilter[kd - 1 - i] ?? 0)];
  const d0 = p.downFilter[0] ?? 1;
  return {
    inH: g.inH,
    inW: g.inW,
    channelVecs: g.c / g.vec,
    tmpH: g.tmpH,
    tmpW: g.tmpW,
    outH: g.outH,
    outW: g.outW,
    up: p.up,
    down: p.down,
    padTop: p.padding.top,
    padLeft: p.padding.left,
    upTaps: ku,
    downTaps: kd,
    clampOn: p.clamp === null ? 0 : 1,
    gain: p.gain,
    slope: p.slope,
    clampMax: p.clamp ?? 0,
    outScale: g.singlePass ? d0 * d0 : 1,
    tapPad: pad,
    upFilter,
    downFilter,
  };
}

function dispatch(
  gpu: WebGPUBackend,
  g: Geometry,
  key: Exclude<keyof typeof FILTERED_LRELU_WGSL, 'common'>,
  variableNames: string[],
  inputs: tf.TensorInfo[],
  output: tf.TensorInfo,
  values: Uniforms,
): void {
  const program = ssgProgram({
    key: `ssgFilteredLrelu_${key}`,
    code: CHANNEL_VEC[g.vec] + FILTERED_LRELU_WGSL[key],
    variableNames,
    outputShape: output.shape,
    invocations: values.count,
    uniforms: FILTERED_LRELU_UNIFORMS,
    components: g.vec,
  });
  gpu.runWebGPUProgram(program, inputs, 'float32', packUniforms(FILTERED_LRELU_UNIFORMS, values), output);
}

/**
 * Invocations per sample of each program: every program computes 4 neighbouring outputs along its axis
 * (x for the _x programs, y for the _y ones), one ChannelVec each.
 */
function blockedInvocations(g: Geometry): Record<Exclude<keyof typeof FILTERED_LRELU_WGSL, 'common'>, number> {
  const cv = g.c / g.vec;
  const q = (n: number): number => Math.ceil(n / 4);
  return {
    upX: g.inH * q(g.tmpW) * cv,
    upY: q(g.tmpH) * g.tmpW * cv,
    downX: g.tmpH * q(g.outW) * cv,
    downY: q(g.outH) * g.outW * cv,
    gradDownX: g.outH * q(g.tmpW) * cv,
    gradDownY: q(g.tmpH) * g.tmpW * cv,
    gradUpY: q(g.inH) * g.tmpW * cv,
    gradUpX: g.inH * q(g.inW) * cv,
  };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function checkShapes(gpu: WebGPUBackend, x: tf.TensorInfo, bias: tf.TensorInfo, p: FilteredLreluParams): Geometry {
  const reason = filteredLreluUnsupportedReason(gpu, x.shape, p);
  if (reason) throw new Error(`${FILTERED_LRELU}: ${reason}`);
  const g = geometry(x.shape, p);
  if (bias.shape[0] !== g.c) throw new Error(`${FILTERED_LRELU}: bias has ${bias.shape[0]} entries for ${g.c} channels`);
  return g;
}

function filteredLreluKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const gpu = webgpuBackendOf(backend);
  const x = requireInput(inputs, 'x', 4);
  const bias = requireInput(inputs, 'bias', 1);
  const p = paramsFromAttrs(attrs);
  const g = checkShapes(gpu, x, bias, p);
  const base = staticUniforms(g, p);
  const out = gpu.makeTensorInfo([g.n, g.outH, g.outW, g.c], 'float32');
  const chunk = chunkSize(gpu, g);
  // Per-sample sizes in array elements (ChannelVecs): counts and offsets in the uniforms use these units.
  const tmpSample = (g.tmpH * g.tmpW * g.c) / g.vec;
  const outSample = (g.outH * g.outW * g.c) / g.vec;
  // Every pass computes 4 neighbouring outputs per invocation along its axis.
  const inv = blockedInvocations(g);
  const temps: tf.TensorInfo[] = [];
  const temp = (shape: number[]): tf.TensorInfo => {
    const t = gpu.makeTensorInfo(shape, 'float32');
    temps.push(t);
    return t;
  };
  try {
    const u = temp([chunk, g.inH, g.tmpW, g.c]);
    const t = g.singlePass ? null : temp([chunk, g.tmpH, g.tmpW, g.c]);
    const h = g.singlePass ? null : temp([chunk, g.tmpH, g.outW, g.c]);
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const nb = Math.min(chunk, g.n - n0);
      const at = { ...base, batchOffset: n0, resultBase: 0 };
      dispatch(gpu, g, 'upX', ['x', 'bias'], [x, bias], u, { ...at, count: nb * inv.upX });
      if (!t || !h) {
        dispatch(gpu, g, 'upY', ['u'], [u], out, { ...at, count: nb * inv.upY, resultBase: n0 * tmpSample });
        continue;
      }
      dispatch(gpu, g, 'upY', ['u'], [u], t, { ...at, count: nb * inv.upY });
      dispatch(gpu, g, 'downX', ['t'], [t], h, { ...at, count: nb * inv.downX });
      dispatch(gpu, g, 'downY', ['h'], [h], out, { ...at, count: nb * inv.downY, resultBase: n0 * outSample });
    }
  } finally {
    // Deferred by tfjs until the queued dispatches that use them have been submitted.
    for (const t of temps) gpu.disposeData(t.dataId);
  }
  return out;
}

function filteredLreluGradKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const gpu = webgpuBackendOf(backend);
  const dy = requireInput(inputs, 'dy', 4);
  const x = requireInput(inputs, 'x', 4);
  const bias = requireInput(inputs, 'bias', 1);
  const p = paramsFromAttrs(attrs);
  const g = checkShapes(gpu, x, bias, p);
  const dyShape = [g.n, g.outH, g.outW, g.c];
  if (!dy.shape.every((d, i) => d === dyShape[i])) throw new Error(`${FILTERED_LRELU_GRAD}: dy shape [${dy.shape}] != [${dyShape}]`);
  const base = staticUniforms(g, p);
  const dx = gpu.makeTensorInfo([...x.shape], 'float32');
  const chunk = chunkSize(gpu, g);
  const inSample = (g.inH * g.inW * g.c) / g.vec;
  const inv = blockedInvocations(g);
  const u = gpu.makeTensorInfo([chunk, g.inH, g.tmpW, g.c], 'float32');
  // The transposed down FIR runs along x first (hx), so that the pass that recomputes the pre-activation
  // along y runs its other loop along y too: both share rows between the 4 outputs of an invocation.
  const hx = gpu.makeTensorInfo([chunk, g.outH, g.tmpW, g.c], 'float32');
  const gt = gpu.makeTensorInfo([chunk, g.tmpH, g.tmpW, g.c], 'float32');
  const gy = gpu.makeTensorInfo([chunk, g.inH, g.tmpW, g.c], 'float32');
  try {
    for (let n0 = 0; n0 < g.n; n0 += chunk) {
      const nb = Math.min(chunk, g.n - n0);
      const at = { ...base, batchOffset: n0, resultBase: 0 };
      dispatch(gpu, g, 'upX', ['x', 'bias'], [x, bias], u, { ...at, count: nb * inv.upX });
      dispatch(gpu, g, 'gradDownX', ['dy'], [dy], hx, { ...at, count: nb * inv.gradDownX });
      dispatch(gpu, g, 'gradDownY', ['hx', 'u'], [hx, u], gt, { ...at, count: nb * inv.gradDownY });
      dispatch(gpu, g, 'gradUpY', ['gt'], [gt], gy, { ...at, count: nb * inv.gradUpY });
      dispatch(gpu, g, 'gradUpX', ['gy'], [gy], dx, { ...at, count: nb * inv.gradUpX, resultBase: n0 * inSample });
    }
  } finally {
    for (const t of [u, hx, gt, gy]) gpu.disposeData(t.dataId);
  }
  return dx;
}

export const filteredLreluKernelConfig: tf.KernelConfig = {
  kernelName: FILTERED_LRELU,
  backendName: 'webgpu',
  kernelFunc: filteredLreluKernel,
};

export const filteredLreluGradKernelConfig: tf.KernelConfig = {
  kernelName: FILTERED_LRELU_GRAD,
  backendName: 'webgpu',
  kernelFunc: filteredLreluGradKernel,
};

/**
 * d/dx from the grad kernel; d/dbias = sum of d/dx over N, H, W. dx is computed once, eagerly: gradFunc runs
 * inside the engine's backward tidy and the returned closures run one after the other for this node, so
 * both may use it (the tidy disposes it if neither keeps it).
 */
export const filteredLreluGradConfig: tf.GradConfig = {
  kernelName: FILTERED_LRELU,
  inputsToSave: ['x', 'bias'],
  gradFunc: (dy, saved, attrs) => {
    const [x, bias] = saved;
    if (!x || !bias || Array.isArray(dy)) throw new Error(`${FILTERED_LRELU}: unexpected gradient inputs`);
    const dx = tf.engine().runKernel<tf.Tensor4D>(FILTERED_LRELU_GRAD, { dy, x, bias }, attrs);
    return { x: () => dx, bias: () => tf.engine().runKernel<tf.Tensor>(CHANNEL_SUM, { x: dx }) };
  },
};
