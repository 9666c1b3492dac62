/**
 * Mamba's selective scan on tfjs-webgpu: kernels 'SsgSelectiveScan' (forward) and 'SsgSelectiveScanGrad'
 * (all six gradients), the gradient config, and the plain-tfjs reference (src/models/ops/selective-scan.ts).
 *
 * Why a kernel: the reference runs the length-L recurrence as ceil(log2 L) doubling steps over
 * [batch, L, Dc, N] tensors (a dozen full passes each, all kept for the backward pass). The kernel keeps a
 * (batch row, channel)'s N states in private memory and walks the sequence once, reading each input once and
 * writing only y, parallel over batch rows x channels (the caller folds SS2D's four directions into the batch).
 *
 * Packing (WebGPU compatibility mode allows 4 storage buffers per stage, output included, and tfjs asks for
 * no more): the op concatenates its six operands into three, xd = [x | delta] [batch, L, 2Dc],
 * bc = [B | C] [batch, L, 2N], ad = [A | D] [Dc, N + 1], with tf.concat, so the tape splits the kernel's three
 * gradients back into six through concat's own gradient.
 *
 * Backward ('SsgSelectiveScanGrad', inputs xd = [x | delta | dy], bc, ad; three programs):
 *   1. states:  the forward recurrence again, writing A/D and h before every chunk of 16 steps;
 *   2. grad x:  one invocation per (row, channel) walks the chunks backwards, recomputing the chunk's states
 *               from its checkpoint, and writes dx, d delta and per-row partial (dA, dD);
 *   3. grad bc: one invocation per (row, state) does the same for one state of every channel in turn and
 *               sums dB, dC over channels into outputs only it writes.
 * Outputs: program 2's flat result and program 3's [batch, L, 2N]; the gradient config slices the first
 * into d(xd) and d(ad) (summing the partials over rows). Not differentiable again (no second order needed:
 * the segmenter has no gradient penalty); a second-order tape through it throws.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import commonWgsl from '../../../shaders/selective_scan_common.wgsl?raw';
import forwardWgsl from '../../../shaders/selective_scan.wgsl?raw';
import gradBcWgsl from '../../../shaders/selective_scan_grad_bc.wgsl?raw';
import gradXWgsl from '../../../shaders/selective_scan_grad_x.wgsl?raw';
import statesWgsl from '../../../shaders/selective_scan_states.wgsl?raw';
import { maxBindingBytes, requireInput, ssgProgram, webgpuBackendOf } from './program.ts';
import { packUniforms, type UniformField, type UniformValues } from './uniforms.ts';

export { selectiveScan as selectiveScanReference } from '../../models/ops/selective-scan.ts';

export const SELECTIVE_SCAN = 'SsgSelectiveScan';
export const SELECTIVE_SCAN_GRAD = 'SsgSelectiveScanGrad';

/** The WGSL's SCAN_MAX_STATES and SCAN_CHUNK. */
export const SCAN_MAX_STATES = 16;
export const SCAN_CHUNK = 16;

/** Must match `struct SelectiveScanParams` in shaders/selective_scan_common.wgsl (tested). */
export const SELECTIVE_SCAN_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'seqLen', type: 'i32' },
  { name: 'channels', type: 'i32' },
  { name: 'states', type: 'i32' },
  { name: 'xdStride', type: 'i32' },
  { name: 'chunks', type: 'i32' },
] as const satisfies readonly UniformField[];

/** The WGSL each program compiles, exported for the layout test. */
export const SELECTIVE_SCAN_WGSL = {
  common: commonWgsl,
  forward: commonWgsl + forwardWgsl,
  states: commonWgsl + statesWgsl,
  gradX: commonWgsl + gradXWgsl,
  gradBc: commonWgsl + gradBcWgsl,
} as const;

/**
 * Why the kernel cannot take these shapes on this device, or null when it can. xShape [batch, L, Dc],
 * aShape [Dc, N].
 */
export function selectiveScanUnsupportedReason(gpu: WebGPUBackend, xShape: readonly number[], aShape: readonly number[]): string | null {
  const [batch = 0, len = 0, channels = 0] = xShape;
  const states = aShape[1] ?? 0;
  if (xShape.length !== 3 || aShape.length !== 2) return 'x must be [batch, L, Dc] and A [Dc, N]';
  if (batch < 1 || len < 1 || channels < 1 || states < 1) return 'empty operand';
  if (states > SCAN_MAX_STATES) return `state size ${states} exceeds the kernel's ${SCAN_MAX_STATES}`;
  const chunks = Math.ceil(len / SCAN_CHUNK);
  const largest = Math.max(
    batch * len * 3 * channels, // xd with dy
    batch * len * 2 * states, // bc, d(bc)
    channels * (states + 1) + batch * chunks * channels * states, // checkpoints
    batch * len * 2 * channels + batch * channels * (states + 1), // grad x output
  );
  if (largest * 4 > maxBindingBytes(gpu)) return 'an operand exceeds the storage binding limit';
  return null;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type ScanProgram = Exclude<keyof typeof SELECTIVE_SCAN_WGSL, 'common'>;

interface ScanDims {
  batch: number;
  len: number;
  channels: number;
  states: number;
}

/** Reads the dimensions from the packed inputs; `xdBlocks` is 2 (x, delta) or 3 (x, delta, dy). */
function dimsOf(xd: tf.TensorInfo, bc: tf.TensorInfo, ad: tf.TensorInfo, xdBlocks: number): ScanDims {
  const [batch = 0, len = 0, width = 0] = xd.shape;
  const channels = width / xdBlocks;
  const states = (bc.shape[2] ?? 0) / 2;
  if (!Number.isInteger(channels) || !Number.isInteger(states) || bc.shape[0] !== batch || bc.shape[1] !== len || ad.shape[0] !== channels || ad.shape[1] !== states + 1) {
    throw new Error(`${SELECTIVE_SCAN}: packed shapes xd [${xd.shape}], bc [${bc.shape}], ad [${ad.shape}] do not fit together`);
  }
  return { batch, len, channels, states };
}

function run(gpu: WebGPUBackend, key: ScanProgram, inputs: tf.TensorInfo[], outputShape: number[], invocations: number, dims: ScanDims, xdStride: number): tf.TensorInfo {
  const values: UniformValues<typeof SELECTIVE_SCAN_UNIFORMS> = {
    count: invocations,
    seqLen: dims.len,
    channels: dims.channels,
    states: dims.states,
    xdStride,
    chunks: Math.ceil(dims.len / SCAN_CHUNK),
  };
  const program = ssgProgram({
    key: `ssgSelectiveScan_${key}`,
    code: SELECTIVE_SCAN_WGSL[key],
    variableNames: ['xd', 'bc', 'ad'],
    outputShape,
    invocations,
    uniforms: SELECTIVE_SCAN_UNIFORMS,
  });
  return gpu.runWebGPUProgram(program, inputs, 'float32', packUniforms(SELECTIVE_SCAN_UNIFORMS, values));
}

function selectiveScanKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const gpu = webgpuBackendOf(backend);
  const xd = requireInput(inputs, 'xd', 3);
  const bc = requireInput(inputs, 'bc', 3);
  const ad = requireInput(inputs, 'ad', 2);
  const dims = dimsOf(xd, bc, ad, 2);
  if (dims.states > SCAN_MAX_STATES) throw new Error(`${SELECTIVE_SCAN}: at most ${SCAN_MAX_STATES} states`);
  return run(gpu, 'forward', [xd, bc, ad], [dims.batch, dims.len, dims.channels], dims.batch * dims.channels, dims, 2 * dims.channels);
}

/** Inputs: xd = [x | delta | dy] [batch, L, 3Dc], bc, ad. Outputs: [d(x|delta) flat + partial d(A|D)], d(bc). */
function selectiveScanGradKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const gpu = webgpuBackendOf(backend);
  const xd = requireInput(inputs, 'xd', 3);
  const bc = requireInput(inputs, 'bc', 3);
  const ad = requireInput(inputs, 'ad', 2);
  const dims = dimsOf(xd, bc, ad, 3);
  const { batch, len, channels, states } = dims;
  const stride = 3 * channels;
  const chunks = Math.ceil(len / SCAN_CHUNK);
  const checkpoints = run(gpu, 'states', [xd, bc, ad], [channels * (states + 1) + batch * chunks * channels * states], batch * channels, dims, stride);
  try {
    const gx = run(gpu, 'gradX', [xd, bc, checkpoints], [batch * len * 2 * channels + batch * channels * (states + 1)], batch * channels, dims, stride);
    const gbc = run(gpu, 'gradBc', [xd, bc, checkpoints], [batch, len, 2 * states], batch * states, dims, stride);
    return [gx, gbc];
  } finally {
    gpu.disposeData(checkpoints.dataId);
  }
}

export const selectiveScanKernelConfig: tf.KernelConfig = { kernelName: SELECTIVE_SCAN, backendName: 'webgpu', kernelFunc: selectiveScanKernel };
export const selectiveScanGradKernelConfig: tf.KernelConfig = { kernelName: SELECTIVE_SCAN_GRAD, backendName: 'webgpu', kernelFunc: selectiveScanGradKernel };

export const selectiveScanGradConfig: tf.GradConfig = {
  kernelName: SELECTIVE_SCAN,
  inputsToSave: ['xd', 'bc', 'ad'],
  gradFunc: (dy, saved) => {
    const [xd, bc, ad] = saved;
    if (!xd || !bc || !ad || Array.isArray(dy)) throw new Error(`${SELECTIVE_SCAN}: unexpected gradient inputs`);
    const [batch = 0, len = 0, width = 0] = xd.shape;
    const channels = width / 2;
    const rowWidth = ad.shape[1] ?? 0; // N + 1
    const outs = tf.engine().runKernel(SELECTIVE_SCAN_GRAD, { xd: tf.concat([xd, dy], 2), bc, ad }) as unknown as tf.Tensor[];
    const [gx, gbc] = outs as [tf.Tensor1D, tf.Tensor3D];
    const split = batch * len * 2 * channels;
    const dxd = tf.reshape(tf.slice(gx, [0], [split]), [batch, len, 2 * channels]);
    const dad = tf.reshape(tf.sum(tf.reshape(tf.slice(gx, [split], [batch * channels * rowWidth]), [batch, channels * rowWidth]), 0), [channels, rowWidth]);
    return { xd: () => dxd, bc: () => gbc, ad: () => dad };
  },
};
