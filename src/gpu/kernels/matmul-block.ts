/**
 * A register-blocked, barrier-free BatchMatMul for tfjs-webgpu (shaders/matmul_block.wgsl): 4 x 4 output
 * blocks per invocation, 8 loads per 16 multiply-adds. Put in front of tfjs's kernel (and of our naive one,
 * matmul-naive.ts, whose shape rules it shares) when the autotune measured it faster on this adapter. The op,
 * its gradient (tfjs's, made of matMuls) and every caller stay the same.
 */
import * as tf from '@tensorflow/tfjs';
import matmulBlockWgsl from '../../../shaders/matmul_block.wgsl?raw';
import { MATMUL_UNIFORMS, matMulGeometry } from './matmul-naive.ts';
import { ssgProgram, webgpuBackendOf } from './program.ts';
import { installInFront } from './switch.ts';
import { packUniforms, type UniformField } from './uniforms.ts';

/** Must match `struct MatMulBlockParams` in shaders/matmul_block.wgsl (tested): the naive program's fields, then the block counts. */
export const MATMUL_BLOCK_UNIFORMS = [
  ...MATMUL_UNIFORMS,
  { name: 'mBlocks', type: 'i32' },
  { name: 'nBlocks', type: 'i32' },
] as const satisfies readonly UniformField[];

export const MATMUL_BLOCK_WGSL = { blocked: matmulBlockWgsl } as const;

let calls = 0;

/** How many products took the blocked program so far (the tests check that it really ran). */
export function blockedMatMulCalls(): number {
  return calls;
}

function blockedMatMul(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const g = matMulGeometry(args);
  if (!g) return null;
  const gpu = webgpuBackendOf(args.backend);
  const mBlocks = Math.ceil(g.m / 4);
  const nBlocks = Math.ceil(g.n / 4);
  const count = g.batch * mBlocks * nBlocks;
  const program = ssgProgram({
    key: 'ssgMatMulBlock',
    code: MATMUL_BLOCK_WGSL.blocked,
    variableNames: ['A', 'B'],
    outputShape: g.outputShape,
    invocations: count,
    uniforms: MATMUL_BLOCK_UNIFORMS,
  });
  const uniforms = packUniforms(MATMUL_BLOCK_UNIFORMS, {
    count,
    m: g.m,
    n: g.n,
    k: g.k,
    batchA: g.batchA,
    batchB: g.batchB,
    transposeA: g.transposeA ? 1 : 0,
    transposeB: g.transposeB ? 1 : 0,
    mBlocks,
    nBlocks,
  });
  calls++;
  return gpu.runWebGPUProgram(program, [g.a, g.b], 'float32', uniforms);
}

/** Put the blocked BatchMatMul in front of tfjs's on webgpu (idempotent; install before the naive one). */
export function installBlockedMatMul(): void {
  installInFront('BatchMatMul', (t) => t.blockedMatMul, blockedMatMul);
}
