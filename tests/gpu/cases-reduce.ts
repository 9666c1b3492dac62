/**
 * The barrier-free Sum and Mean (src/gpu/kernels/reduce.ts) against tfjs's own WebGPU kernels: reductions
 * over leading, middle and trailing blocks of axes, negative axes, keepDims, odd sizes, columns few enough
 * to take several passes; and the cases it must leave to tfjs (axes that are not one block, a full
 * reduction to a scalar), which must still give tfjs's values. Each case says whether our program ran.
 */
import * as tf from '@tensorflow/tfjs';
import { flatReduceCalls } from '../../src/gpu/kernels/reduce.ts';
import { setKernelTuning, STOCK_TUNING } from '../../src/gpu/kernels/switch.ts';
import { maxRelError, randomTensor, values } from './compare.ts';
import { newCaseResult, TOLERANCE } from './harness.ts';
import type { CaseResult } from './types.ts';

export const REDUCE_CASE_PREFIX = 'flat reduce';

async function reduceCase(op: 'sum' | 'mean', shape: number[], axis: number | number[] | undefined, keepDims: boolean, expectOurs: boolean, seed: number): Promise<CaseResult> {
  const result = newCaseResult(`${REDUCE_CASE_PREFIX}: ${op} [${shape.join('x')}] axis ${JSON.stringify(axis ?? 'all')}${keepDims ? ' keepDims' : ''}${expectOurs ? '' : ' (left to tfjs)'}`);
  const before = tf.memory().numTensors;
  const x = randomTensor(shape, seed);
  const f = (): tf.Tensor => (op === 'sum' ? tf.sum(x, axis, keepDims) : tf.mean(x, axis, keepDims));
  try {
    const start = flatReduceCalls();
    setKernelTuning({ flatReduce: true });
    const gotT = f();
    const got = await values(gotT);
    const gotShape = gotT.shape.join('x');
    gotT.dispose();
    result.kernelUsed = flatReduceCalls() > start;
    setKernelTuning(STOCK_TUNING);
    const wantT = f();
    const want = await values(wantT);
    const sameShape = wantT.shape.join('x') === gotShape;
    wantT.dispose();
    result.errors['value'] = sameShape ? maxRelError(got, want) : Infinity;
    result.passed = result.errors['value'] <= TOLERANCE && result.kernelUsed === expectOurs;
    result.detail = `error ${result.errors['value'].toExponential(2)}${sameShape ? '' : ', shapes differ'}; ${result.kernelUsed ? 'our program ran' : "tfjs's kernel ran"}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    setKernelTuning(STOCK_TUNING);
    x.dispose();
  }
  result.leakedTensors = tf.memory().numTensors - before;
  result.passed &&= result.leakedTensors === 0;
  return result;
}

/**
 * A sum over a threshold mask cast to float32 (the segmenter's pooled Dice counts): tfjs casts bool to float32
 * without a copy, so the buffer still holds i32 words; our f32 program must leave it to tfjs (it once failed
 * to compile there and the counts came back as zeros).
 */
async function castMaskCase(): Promise<CaseResult> {
  const result = newCaseResult(`${REDUCE_CASE_PREFIX}: sum over a bool mask cast to float32 (left to tfjs)`);
  const before = tf.memory().numTensors;
  const x = randomTensor([32, 4096], 119);
  const f = (): tf.Tensor => tf.tidy(() => tf.sum(tf.cast(tf.greaterEqual(x, 0), 'float32'), 1));

  try {
    const start = flatReduceCalls();
    setKernelTuning({ flatReduce: true });
    const gotT = f();
    const got = await values(gotT);
    gotT.dispose();
    result.kernelUsed = flatReduceCalls() > start;
    setKernelTuning(STOCK_TUNING);
    // The counts by hand on the CPU: how many of each row's 4096 values are >= 0.
    const xs = await values(x);
    const want = Float32Array.from({ length: 32 }, (_, r) => xs.subarray(r * 4096, (r + 1) * 4096).reduce((n, v) => n + (v >= 0 ? 1 : 0), 0));
    result.errors['value'] = maxRelError(got, want);
    result.passed = result.errors['value'] === 0 && !result.kernelUsed && want.every((v) => v > 1000);
    result.detail = `counts ${got.slice(0, 3).join(', ')}… vs ${want.slice(0, 3).join(', ')}…; ${result.kernelUsed ? 'our program ran' : "tfjs's kernel ran"}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    setKernelTuning(STOCK_TUNING);
    x.dispose();
  }
  result.leakedTensors = tf.memory().numTensors - before;
  result.passed &&= result.leakedTensors === 0;
  return result;
}

export async function reduceCases(): Promise<CaseResult[]> {
  return [
    await reduceCase('sum', [16, 20, 20, 3], [0, 1, 2], false, true, 111), // a bias gradient: many rows, few columns (3 passes)
    await reduceCase('sum', [5, 7, 9], [1], false, true, 112),
    await reduceCase('mean', [4, 64, 1, 33], [0], false, true, 113), // minibatch stddev's group mean
    await reduceCase('mean', [3, 5, 6, 7], [-1], true, true, 114),
    await reduceCase('sum', [3, 5, 6, 7], [2, 1], true, true, 115),
    await reduceCase('mean', [1000, 3], [0], false, true, 116),
    await reduceCase('sum', [3, 5, 6, 7], [0, 2], false, false, 117), // not one block of axes
    await reduceCase('mean', [7, 9], undefined, false, false, 118), // full reduction: a scalar
    await castMaskCase(),
  ];
}
