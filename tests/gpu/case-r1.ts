/**
 * The R1 penalty's double gradient on WebGPU: d/dweights of ||grad_x D(x)||^2 for a tiny discriminator
 * written with stock ops (strided conv2d, leaky ReLU as 0.6 h + 0.4 |h|, dense), on webgpu and on cpu,
 * compared with relative tolerance 1e-3 (ENVIRONMENT.md: tf.leakyRelu itself has no second derivative).
 */
import * as tf from '@tensorflow/tfjs';
import { maxRelError, randomTensor, values } from './compare.ts';
import type { CaseResult } from './types.ts';

const R1_TOLERANCE = 1e-3;
const WEIGHT_NAMES = ['conv1', 'conv2', 'dense'];

const lrelu = (h: tf.Tensor): tf.Tensor => tf.add(tf.mul(h, 0.6), tf.mul(tf.abs(h), 0.4));

function discriminator(x: tf.Tensor4D, k1: tf.Tensor4D, k2: tf.Tensor4D, w: tf.Tensor2D): tf.Tensor {
  const h1 = lrelu(tf.conv2d(x, k1, 2, 'same')) as tf.Tensor4D;
  const h2 = lrelu(tf.conv2d(h1, k2, 2, 'same'));
  return tf.matMul(tf.reshape(h2, [x.shape[0], -1]), w);
}

async function r1WeightGrads(backend: string): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const grads = tf.tidy(() => {
    const x = randomTensor([3, 9, 9, 1], 5) as tf.Tensor4D;
    const weights = [randomTensor([3, 3, 1, 4], 6, 0.5), randomTensor([3, 3, 4, 8], 7, 0.3), randomTensor([3 * 3 * 8, 1], 8, 0.3)];
    const r1 = (k1: tf.Tensor, k2: tf.Tensor, w: tf.Tensor): tf.Scalar => {
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(discriminator(xx as tf.Tensor4D, k1 as tf.Tensor4D, k2 as tf.Tensor4D, w as tf.Tensor2D)))(x);
      return tf.sum(tf.square(gx));
    };
    return tf.grads((k1: tf.Tensor, k2: tf.Tensor, w: tf.Tensor) => r1(k1, k2, w))(weights);
  });
  const out = await Promise.all(grads.map(values));
  tf.dispose(grads);
  return out;
}

export async function r1DoubleGradCase(): Promise<CaseResult> {
  const result: CaseResult = {
    name: 'R1 double gradient (stock ops): webgpu vs cpu',
    passed: false,
    errors: {},
    tolerance: R1_TOLERANCE,
    kernelUsed: null,
    leakedTensors: 0,
    leakedDataIds: 0,
    detail: '',
  };
  const tensorsBefore = tf.memory().numTensors;
  try {
    const gpu = await r1WeightGrads('webgpu');
    const cpu = await r1WeightGrads('cpu');
    WEIGHT_NAMES.forEach((n, i) => (result.errors[`d/d${n}`] = maxRelError(gpu[i] ?? [], cpu[i] ?? [])));
    const worst = Math.max(...Object.values(result.errors));
    const nonZero = gpu.every((g) => g.some((v) => v !== 0));
    result.passed = worst <= R1_TOLERANCE && nonZero;
    result.detail = `worst ${worst.toExponential(2)}${nonZero ? '' : '; a gradient is all zeros'}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    await tf.setBackend('webgpu');
  }
  // Counts are per engine, across backends.
  result.leakedTensors = tf.memory().numTensors - tensorsBefore;
  result.passed &&= result.leakedTensors === 0;
  return result;
}
