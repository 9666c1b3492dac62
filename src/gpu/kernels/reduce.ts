/**
 * Barrier-free Sum and Mean for tfjs-webgpu (shaders/reduce_rows.wgsl), put in front of tfjs's kernels
 * (switch.ts) when the autotune measured them faster on this adapter. They take float32 reductions over one
 * contiguous block of axes (any keepDims), which is every reduction the GAN step makes (bias gradients,
 * minibatch standard deviation, losses); anything else returns null and tfjs's kernel runs.
 *
 * Why: a GAN iteration on SwiftShader spent over a second in tfjs's Sum and Mean (profile, 2026-11-26):
 * they transpose the reduced axes last and reduce with a workgroup tree full of barriers. Here the input is
 * viewed as [outer, rows, inner]; each pass adds chunks of about sqrt(rows) rows per (outer, inner) column
 * when there are few columns (so that enough invocations share the work), a whole column otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import reduceWgsl from '../../../shaders/reduce_rows.wgsl?raw';
import { maxBindingBytes, ssgProgram, webgpuBackendOf } from './program.ts';
import { installInFront } from './switch.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

/** Must match `struct ReduceRowsParams` in shaders/reduce_rows.wgsl (tested). */
export const REDUCE_UNIFORMS = [
  { name: 'count', type: 'i32' },
  { name: 'rows', type: 'i32' },
  { name: 'inner', type: 'i32' },
  { name: 'rowsPerChunk', type: 'i32' },
  { name: 'outRows', type: 'i32' },
  { name: 'scale', type: 'f32' },
] as const satisfies readonly UniformField[];

export const REDUCE_WGSL = { pass: reduceWgsl } as const;

/** Columns at or above which one pass adds whole columns (enough invocations to share the work). */
const WIDE = 2048;

let calls = 0;

/** How many reductions took our program so far (the tests check that it really ran). */
export function flatReduceCalls(): number {
  return calls;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** The [outer, rows, inner] view of reducing `shape` over `axis`, or null when the axes are not one block. */
export function reduceView(shape: readonly number[], axis: number | number[] | undefined): { outer: number; rows: number; inner: number; outShape: number[]; keptShape: number[] } | null {
  const rank = shape.length;
  const raw = axis === undefined ? shape.map((_, i) => i) : Array.isArray(axis) ? axis : [axis];
  const axes = [...new Set(raw.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) return null;
  const first = axes[0] ?? 0;
  const last = axes[axes.length - 1] ?? 0;
  if (last - first + 1 !== axes.length) return null;
  return {
    outer: size(shape.slice(0, first)),
    rows: size(shape.slice(first, last + 1)),
    inner: size(shape.slice(last + 1)),
    outShape: shape.filter((_, i) => i < first || i > last),
    keptShape: shape.map((d, i) => (i < first || i > last ? d : 1)),
  };
}

function reduceRows(args: Parameters<tf.KernelFunc>[0], mean: boolean): tf.TensorInfo | null {
  const gpu = webgpuBackendOf(args.backend);
  const x = args.inputs['x'];
  if (!x || x.dtype !== 'float32' || x.shape.length === 0 || size(x.shape) === 0) return null;
  const view = reduceView(x.shape, args.attrs?.['axis'] as number | number[] | undefined);
  if (!view || view.rows < 2 || size(x.shape) * 4 > maxBindingBytes(gpu)) return null;
  const outShape = args.attrs?.['keepDims'] === true ? view.keptShape : view.outShape;
  // Scalars stay with tfjs: its programs' preludes are not written for rank-0 outputs we would create.
  if (outShape.length === 0) return null;
  const columns = view.outer * view.inner;
  let rows = view.rows;
  let current: tf.TensorInfo = x;
  do {
    const chunk = columns >= WIDE || rows <= 256 ? rows : Math.max(8, Math.ceil(Math.sqrt(rows)));
    const outRows = Math.ceil(rows / chunk);
    const program = ssgProgram({
      key: 'ssgReduceRows',
      code: REDUCE_WGSL.pass,
      variableNames: ['x'],
      outputShape: outRows === 1 ? outShape : [view.outer, outRows, view.inner],
      invocations: columns * outRows,
      uniforms: REDUCE_UNIFORMS,
    });
    const scale = mean && outRows === 1 ? 1 / view.rows : 1;
    const uniforms = packUniforms(REDUCE_UNIFORMS, { count: columns * outRows, rows, inner: view.inner, rowsPerChunk: chunk, outRows, scale });
    const next = gpu.runWebGPUProgram(program, [current], 'float32', uniforms);
    if (current !== x) gpu.disposeData(current.dataId);
    current = next;
    rows = outRows;
  } while (rows > 1);
  calls++;
  return current;
}

const sum = (args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null => reduceRows(args, false);
const mean = (args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null => reduceRows(args, true);

/** Put our Sum and Mean in front of tfjs's on webgpu (idempotent). */
export function installFlatReduce(): void {
  installInFront('Sum', (t) => t.flatReduce, sum);
  installInFront('Mean', (t) => t.flatReduce, mean);
}
