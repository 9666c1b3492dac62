/**
 * The register-blocked convolution programs (src/gpu/kernels/conv2d-block.ts) against tfjs's own WebGPU
 * kernels (the plain-tfjs reference): values, both first-order gradients (d/dx runs the blocked input
 * gradient, d/dw the blocked filter gradient) and, for a few, a second-order gradient of the kind R1 takes
 * (the gradient w.r.t. the filter of a norm of the input gradient, which runs all three kernels again).
 * Sizes are chosen to hit the edges: channels that are not multiples of 4 (including 1), widths that are not
 * multiples of 4, stride 2 with odd sizes, 'same', 'valid' and explicit asymmetric padding, 1x1, the
 * discriminator's 6x6 stride-2 downsampling, and a filter gradient large enough to take two passes.
 * Channel counts that are multiples of 4 on both sides take the vec4 forms, with the same edge cases.
 * Each case proves that every blocked program it needs really ran (call counters).
 */
import * as tf from '@tensorflow/tfjs';
import { blockedConvCalls } from '../../src/gpu/kernels/conv2d-block.ts';
import { setKernelTuning, STOCK_TUNING } from '../../src/gpu/kernels/switch.ts';
import { maxRelError, randomTensor, values } from './compare.ts';
import { newCaseResult, TOLERANCE } from './harness.ts';
import type { CaseResult } from './types.ts';

const BLOCKED = { blockedConv2d: true, blockedConvGradInput: true, blockedConvGradFilter: true };

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** Value, d/dx and d/dw of sum(conv * r); with `second`, also d/dw of sum((d/dx)^2). */
function compute(x: tf.Tensor4D, w: tf.Tensor4D, strides: number | [number, number], pad: Pad, second: boolean): tf.Tensor[] {
  return tf.tidy(() => {
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D => tf.conv2d(a, b, strides, pad);
    const y = conv(x, w);
    const r = randomTensor(y.shape, 77);
    const loss = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r));
    const out: tf.Tensor[] = [y, ...tf.grads(loss)([x, w])];
    if (second) {
      const penalty = (b: tf.Tensor): tf.Scalar => tf.sum(tf.square(tf.grad((a: tf.Tensor) => loss(a, b))(x)));
      out.push(tf.grad(penalty)(w));
    }
    return out;
  });
}

async function convBlockCase(xs: number[], ws: number[], strides: number | [number, number], pad: Pad, seed: number, second = false): Promise<CaseResult> {
  const name = `blocked conv2d: [${xs.join('x')}] * [${ws.join('x')}] stride ${String(strides)} pad ${typeof pad === 'string' ? pad : JSON.stringify(pad)}${second ? ', second order' : ''}`;
  const result = newCaseResult(name);
  const before = tf.memory().numTensors;
  const x = randomTensor(xs, seed) as tf.Tensor4D;
  const w = randomTensor(ws, seed + 1) as tf.Tensor4D;
  try {
    const start = blockedConvCalls();
    setKernelTuning(BLOCKED);
    const gotT = compute(x, w, strides, pad, second);
    const got = await Promise.all(gotT.map(values));
    tf.dispose(gotT);
    const end = blockedConvCalls();
    result.kernelUsed = end.forward > start.forward && end.gradInput > start.gradInput && end.gradFilter > start.gradFilter;
    setKernelTuning(STOCK_TUNING);
    const wantT = compute(x, w, strides, pad, second);
    const want = await Promise.all(wantT.map(values));
    tf.dispose(wantT);
    const labels = ['value', 'd/dx', 'd/dw', 'd/dw of |d/dx|^2'];
    got.forEach((g, i) => (result.errors[labels[i] ?? `out${i}`] = maxRelError(g, want[i] ?? [])));
    const worst = Math.max(...Object.values(result.errors));
    result.passed = worst <= TOLERANCE && result.kernelUsed;
    result.detail = `worst ${worst.toExponential(2)}${result.kernelUsed ? '; all three blocked programs ran' : '; a blocked program did NOT run'}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    setKernelTuning(STOCK_TUNING);
    tf.dispose([x, w]);
  }
  result.leakedTensors = tf.memory().numTensors - before;
  result.passed &&= result.leakedTensors === 0;
  return result;
}

export const CONV_BLOCK_CASE_PREFIX = 'blocked conv2d';

export async function convBlockCases(): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  out.push(await convBlockCase([3, 11, 9, 5], [3, 3, 5, 7], 1, 'same', 81));
  out.push(await convBlockCase([2, 12, 10, 3], [4, 4, 3, 6], 2, 'valid', 83));
  out.push(await convBlockCase([2, 9, 13, 4], [5, 3, 4, 5], [2, 1], [[0, 0], [2, 1], [0, 3], [0, 0]], 85));
  out.push(await convBlockCase([1, 6, 7, 17], [1, 1, 17, 9], 1, 'valid', 87));
  out.push(await convBlockCase([2, 13, 11, 1], [3, 3, 1, 8], 1, 'same', 89)); // fromRGB: one input channel
  out.push(await convBlockCase([2, 7, 9, 8], [3, 3, 8, 1], 1, [[0, 0], [2, 2], [2, 2], [0, 0]], 91)); // one output channel, full padding
  out.push(await convBlockCase([2, 16, 16, 8], [6, 6, 8, 12], 2, [[0, 0], [2, 2], [2, 2], [0, 0]], 93)); // D's blurred downsampling
  out.push(await convBlockCase([4, 15, 15, 9], [3, 3, 9, 6], [1, 2], 'same', 95)); // odd sizes, stride only along x
  out.push(await convBlockCase([16, 20, 20, 16], [3, 3, 16, 16], 1, 'same', 97)); // a model-sized map: filter gradient in two passes
  // Channel counts in multiples of 4 take the vec4 programs: odd widths and strides there too.
  out.push(await convBlockCase([2, 9, 11, 8], [3, 3, 8, 12], 1, 'same', 103));
  out.push(await convBlockCase([3, 13, 11, 4], [4, 4, 4, 8], 2, 'valid', 105));
  out.push(await convBlockCase([2, 7, 10, 12], [5, 3, 12, 4], [1, 2], [[0, 0], [1, 3], [2, 0], [0, 0]], 107));
  out.push(await convBlockCase([2, 10, 9, 5], [3, 3, 5, 6], 2, 'same', 99, true));
  out.push(await convBlockCase([2, 8, 8, 4], [3, 3, 4, 4], 1, 'same', 101, true));
  return out;
}
