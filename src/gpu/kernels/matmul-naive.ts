/**
 * A barrier-free BatchMatMul for tfjs-webgpu (shaders/matmul_naive.wgsl), installed in front of tfjs's own
 * kernel: `installNaiveMatMul()` re-registers 'BatchMatMul' for webgpu with a function that runs our program
 * when the active tuning asks for it (switch.ts; the autotune's choice for this adapter) and the shapes suit
 * it, and tfjs's
 * original kernel otherwise. The op, its gradient (tfjs's, made of matMuls) and every caller stay the same.
 * Reference: tfjs's own kernel (tf.matMul with naive off), compared on WebGPU by the GPU test page.
 */
import * as tf from '@tensorflow/tfjs';
import matmulWgsl from '../../../shaders/matmul_naive.wgsl?raw';
import { maxBindingBytes, ssgProgram, webgpuBackendOf } from './program.ts';
import { installInFront } from './switch.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

const BATCH_MATMUL = 'BatchMatMul';

/** Must match `struct MatMulParams` in shaders/matmul_naive.wgsl (tested). */
export const MATMUL_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'm', type: 'i32' },
  { name: 'n', type: 'i32' },
  { name: 'k', type: 'i32' },
  { name: 'batchA', type: 'i32' },
  { name: 'batchB', type: 'i32' },
  { name: 'transposeA', type: 'i32' },
  { name: 'transposeB', type: 'i32' },
] as const satisfies readonly UniformField[];

export const MATMUL_WGSL = { naive: matmulWgsl } as const;

let naiveCalls = 0;

/** How many products took the naive program so far (the tests check that it really ran). */
export function naiveMatMulCalls(): number {
  return naiveCalls;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A BatchMatMul's operands and sizes, when the flat indexing of our programs can take them; else null. */
export interface MatMulGeometry {
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  m: number;
  n: number;
  k: number;
  batchA: number;
  batchB: number;
  transposeA: boolean;
  transposeB: boolean;
  /** Output shape: the batch dims of the non-broadcast side, then M, N. */
  outputShape: number[];
  batch: number;
}

export function matMulGeometry(args: Parameters<tf.KernelFunc>[0]): MatMulGeometry | null {
  const { inputs, backend, attrs } = args;
  const gpu = webgpuBackendOf(backend);
  const a = inputs['a'];
  const b = inputs['b'];
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const transposeA = attrs?.['transposeA'] === true;
  const transposeB = attrs?.['transposeB'] === true;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) ?? 0;
  const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) ?? 0;
  const kb = (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) ?? 0;
  const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) ?? 0;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  // Only the broadcasts the flat indexing handles: equal batches, or one side a single matrix.
  if (k !== kb || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return null;
  // Output batch dims: the non-broadcast side's (flat indexing cannot follow rank-changing broadcasts).
  if (batchA === batchB && outerA.length > 0 && outerB.length > 0 && outerA.join() !== outerB.join()) return null;
  const single = batchA === batchB ? null : batchA === 1 ? outerA : outerB;
  const full = batchA === batchB ? (outerA.length >= outerB.length ? outerA : outerB) : batchA === 1 ? outerB : outerA;
  if (single && single.length > full.length) return null;
  const batch = Math.max(batchA, batchB);
  const count = batch * m * n;
  if (count === 0 || k === 0 || Math.max(size(a.shape), size(b.shape), count) * 4 > maxBindingBytes(gpu)) return null;
  return { a, b, m, n, k, batchA, batchB, transposeA, transposeB, outputShape: [...full, m, n], batch };
}

function naiveMatMul(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const g = matMulGeometry(args);
  if (!g) return null;
  const gpu = webgpuBackendOf(args.backend);
  const count = g.batch * g.m * g.n;
  const program = ssgProgram({
    key: 'ssgMatMulNaive',
    code: MATMUL_WGSL.naive,
    variableNames: ['A', 'B'],
    outputShape: g.outputShape,
    invocations: count,
    uniforms: MATMUL_UNIFORMS,
  });
  const uniforms = packUniforms(MATMUL_UNIFORMS, { count, m: g.m, n: g.n, k: g.k, batchA: g.batchA, batchB: g.batchB, transposeA: g.transposeA ? 1 : 0, transposeB: g.transposeB ? 1 : 0 });
  naiveCalls++;
  return gpu.runWebGPUProgram(program, [g.a, g.b], 'float32', uniforms);
}

/** Put our dispatcher in front of tfjs's BatchMatMul on webgpu (idempotent). */
export function installNaiveMatMul(): void {
  installInFront(BATCH_MATMUL, (t) => t.naiveMatMul, naiveMatMul);
}
