/**
 * The autotune's alternatives against tfjs's defaults on WebGPU: our naive BatchMatMul (values and the
 * gradients tfjs derives through matMul again) for odd sizes, transposes and batch broadcasts (values only:
 * tfjs's own BatchMatMul gradient rejects broadcast batches), and our naive Conv2D against tfjs's tiled one
 * (values and gradients) for strides, paddings and 1x1; our blocked BatchMatMul on the same kinds of
 * operands. Each case proves our path ran (call counters).
 */
import * as tf from '@tensorflow/tfjs';
import { setKernelTuning, STOCK_TUNING, type KernelTuning } from '../../src/gpu/kernels/switch.ts';
import { naiveConv2dCalls } from '../../src/gpu/kernels/conv2d-naive.ts';
import { naiveMatMulCalls } from '../../src/gpu/kernels/matmul-naive.ts';
import { blockedMatMulCalls } from '../../src/gpu/kernels/matmul-block.ts';
import { maxRelError, randomTensor, values } from './compare.ts';
import { newCaseResult, TOLERANCE } from './harness.ts';
import type { CaseResult } from './types.ts';

const NAIVE = { naiveConv2d: true, naiveMatMul: true };
const BLOCKED_MATMUL = { blockedMatMul: true, naiveMatMul: true };

async function valuesAndGrads(f: (xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], grads: boolean): Promise<Float32Array[]> {
  const out = tf.tidy(() => {
    const y = f(inputs);
    if (!grads) return [y];
    const w = randomTensor(y.shape, 77);
    return [y, ...tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(xs), w)))(inputs)];
  });
  const v = await Promise.all(out.map(values));
  tf.dispose(out);
  return v;
}

async function compareCase(name: string, inputs: () => tf.Tensor[], f: (xs: tf.Tensor[]) => tf.Tensor, ran: () => boolean, grads = true, tuning: Partial<KernelTuning> = NAIVE): Promise<CaseResult> {
  const result = newCaseResult(name);
  const before = tf.memory().numTensors;
  const xs = inputs();
  try {
    setKernelTuning(tuning);
    const got = await valuesAndGrads(f, xs, grads);
    result.kernelUsed = ran();
    setKernelTuning(STOCK_TUNING);
    const want = await valuesAndGrads(f, xs, grads);
    got.forEach((g, i) => (result.errors[i === 0 ? 'value' : `d/dx${i - 1}`] = maxRelError(g, want[i] ?? [])));
    const worst = Math.max(...Object.values(result.errors));
    result.passed = worst <= TOLERANCE && result.kernelUsed;
    result.detail = `worst ${worst.toExponential(2)}${result.kernelUsed ? '; our path ran' : '; our path did NOT run'}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    setKernelTuning(STOCK_TUNING);
    tf.dispose(xs);
  }
  result.leakedTensors = tf.memory().numTensors - before;
  result.passed &&= result.leakedTensors === 0;
  return result;
}

function matmulCase(a: number[], b: number[], transposeA: boolean, transposeB: boolean, seed: number): Promise<CaseResult> {
  const start = naiveMatMulCalls();
  const broadcast = a.length !== b.length || (a.length === 3 && a[0] !== b[0]);
  return compareCase(
    `naive matmul: [${a.join('x')}]${transposeA ? 'T' : ''} x [${b.join('x')}]${transposeB ? 'T' : ''}${broadcast ? ' (values)' : ''}`,
    () => [randomTensor(a, seed), randomTensor(b, seed + 1)],
    ([x, y]) => tf.matMul(x as tf.Tensor, y as tf.Tensor, transposeA, transposeB),
    () => naiveMatMulCalls() > start,
    !broadcast,
  );
}

/** The blocked BatchMatMul (tried before the naive one, which is on too) against tfjs's. */
function blockedMatmulCase(a: number[], b: number[], transposeA: boolean, transposeB: boolean, seed: number): Promise<CaseResult> {
  const start = blockedMatMulCalls();
  const broadcast = a.length !== b.length || (a.length === 3 && a[0] !== b[0]);
  return compareCase(
    `blocked matmul: [${a.join('x')}]${transposeA ? 'T' : ''} x [${b.join('x')}]${transposeB ? 'T' : ''}${broadcast ? ' (values)' : ''}`,
    () => [randomTensor(a, seed), randomTensor(b, seed + 1)],
    ([x, y]) => tf.matMul(x as tf.Tensor, y as tf.Tensor, transposeA, transposeB),
    () => blockedMatMulCalls() > start,
    !broadcast,
    BLOCKED_MATMUL,
  );
}

function convCase(xs: number[], ws: number[], strides: number | [number, number], pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]], seed: number): Promise<CaseResult> {
  const start = naiveConv2dCalls();
  return compareCase(
    `naive conv2d: [${xs.join('x')}] * [${ws.join('x')}] stride ${String(strides)} pad ${typeof pad === 'string' ? pad : JSON.stringify(pad)}`,
    () => [randomTensor(xs, seed), randomTensor(ws, seed + 1)],
    ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad),
    () => naiveConv2dCalls() > start,
  );
}

export async function tuningCases(): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  out.push(await matmulCase([7, 5], [5, 9], false, false, 51));
  out.push(await matmulCase([5, 7], [5, 9], true, false, 52));
  out.push(await matmulCase([7, 5], [9, 5], false, true, 53));
  out.push(await matmulCase([3, 5, 7], [3, 9, 5], true, true, 54));
  out.push(await matmulCase([3, 7, 5], [5, 9], false, false, 55)); // b broadcast over a's batch
  out.push(await matmulCase([1, 7, 33], [4, 33, 65], false, false, 56)); // a broadcast over b's batch
  out.push(await matmulCase([1603, 16], [16, 17], false, false, 57));
  out.push(await blockedMatmulCase([7, 5], [5, 9], false, false, 71));
  out.push(await blockedMatmulCase([5, 7], [5, 9], true, false, 72));
  out.push(await blockedMatmulCase([7, 5], [9, 5], false, true, 73));
  out.push(await blockedMatmulCase([3, 5, 7], [3, 9, 5], true, true, 74));
  out.push(await blockedMatmulCase([3, 7, 5], [5, 9], false, false, 75)); // b broadcast over a's batch
  out.push(await blockedMatmulCase([1, 7, 33], [4, 33, 65], false, false, 76)); // a broadcast over b's batch
  out.push(await blockedMatmulCase([1603, 16], [16, 17], false, false, 77));
  out.push(await blockedMatmulCase([6, 3], [3, 6145], false, false, 78)); // the discriminator's FIR folding
  out.push(await convCase([3, 11, 9, 5], [3, 3, 5, 7], 1, 'same', 61));
  out.push(await convCase([2, 12, 10, 3], [4, 4, 3, 6], 2, 'valid', 63));
  out.push(await convCase([2, 9, 13, 4], [5, 3, 4, 5], [2, 1], [[0, 0], [2, 1], [0, 3], [0, 0]], 65));
  out.push(await convCase([1, 6, 6, 17], [1, 1, 17, 9], 1, 'valid', 67));
  return out;
}
