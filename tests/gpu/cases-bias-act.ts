/**
 * Fused bias + activation cases: ranks 2 and 4, odd channel counts, leaky ReLU and linear, gains, clamp off
 * and active (small bounds so many elements saturate), bias given and absent; plus the second-order case
 * the R1 penalty needs: d/d(conv weight, bias) of ||d/dx sum(w * biasAct(conv(x)))||^2, kernel vs reference.
 */
import * as tf from '@tensorflow/tfjs';
import { biasAct, type BiasActParams } from '../../src/models/ops/bias-act.ts';
import { biasActOp, BIAS_ACT, BIAS_ACT_GRAD } from '../../src/gpu/kernels/index.ts';
import { maxRelError, randomTensor, values } from './compare.ts';
import { newCaseResult, TOLERANCE, type OpCase } from './harness.ts';
import type { CaseResult } from './types.ts';

function biasActCase(shape: number[], p: BiasActParams, withBias: boolean, seed: number): OpCase {
  const c = shape[shape.length - 1] ?? 1;
  const label = `${p.slope === 1 ? 'linear' : `lrelu ${p.slope}`}, gain ${p.gain.toFixed(3)}, clamp ${p.clamp ?? 'off'}`;
  return {
    name: `bias act: [${shape.join(', ')}], ${label}${withBias ? '' : ', no bias'}`,
    inputs: () => (withBias ? [randomTensor(shape, seed, 2), randomTensor([c], seed + 1)] : [randomTensor(shape, seed, 2)]),
    inputNames: withBias ? ['x', 'bias'] : ['x'],
    kernel: ([x, b]) => biasActOp(x as tf.Tensor, (b as tf.Tensor1D | undefined) ?? null, p),
    reference: ([x, b]) => biasAct(x as tf.Tensor, (b as tf.Tensor1D | undefined) ?? null, p),
    kernelNames: [BIAS_ACT, BIAS_ACT_GRAD],
  };
}

export function biasActCases(): OpCase[] {
  const lrelu = (gain: number, clamp: number | null = null): BiasActParams => ({ slope: 0.2, gain, clamp });
  return [
    biasActCase([3, 5, 7, 9], lrelu(Math.SQRT2), true, 11),
    biasActCase([2, 9, 3, 33], lrelu(Math.SQRT2 * Math.SQRT1_2, 0.9), true, 12),
    biasActCase([5, 13], { slope: 1, gain: 0.7, clamp: 0.5 }, true, 13),
    biasActCase([7, 65], lrelu(Math.SQRT2), true, 14),
    biasActCase([1, 4, 6, 5], { slope: 1, gain: Math.SQRT1_2, clamp: null }, false, 15),
    biasActCase([4, 3, 3, 17], { slope: 0.1, gain: 1, clamp: null }, false, 16),
  ];
}

/** d/d(k, b) of ||grad_x sum(w * f(conv(x, k) + b))||^2, f = biasAct through `op`. */
function r1Grads(op: typeof biasAct, x: tf.Tensor4D, k: tf.Tensor4D, b: tf.Tensor1D, w: tf.Tensor): tf.Tensor[] {
  const p: BiasActParams = { slope: 0.2, gain: Math.SQRT2, clamp: null };
  return tf.tidy(() => {
    const penalty = (kk: tf.Tensor, bb: tf.Tensor): tf.Scalar => {
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(op(tf.conv2d(xx as tf.Tensor4D, kk as tf.Tensor4D, 1, 'same'), bb as tf.Tensor1D, p), w)))(x);
      return tf.sum(tf.square(gx));
    };
    return tf.grads(penalty)([k, b]);
  });
}

export async function biasActSecondOrderCase(): Promise<CaseResult> {
  const result = newCaseResult('bias act: second order (R1 path), kernel vs reference on webgpu');
  const before = tf.memory().numTensors;
  const x = randomTensor([3, 7, 5, 3], 21) as tf.Tensor4D;
  const k = randomTensor([3, 3, 3, 11], 22, 0.5) as tf.Tensor4D;
  const b = randomTensor([11], 23, 0.3) as tf.Tensor1D;
  const w = randomTensor([3, 7, 5, 11], 24);
  try {
    let names: string[] = [];
    let got: tf.Tensor[] = [];
    const profile = await tf.profile(() => {
      got = r1Grads(biasActOp, x, k, b, w);
      return got;
    });
    names = profile.kernels.map((e) => e.name);
    const want = r1Grads(biasAct, x, k, b, w);
    const [g, e] = await Promise.all([Promise.all(got.map(values)), Promise.all(want.map(values))]);
    tf.dispose([...got, ...want]);
    result.errors['d/dk'] = maxRelError(g[0] ?? [], e[0] ?? []);
    result.errors['d/db'] = maxRelError(g[1] ?? [], e[1] ?? []);
    const worst = Math.max(...Object.values(result.errors));
    result.kernelUsed = names.includes(BIAS_ACT) && names.includes(BIAS_ACT_GRAD);
    // d/db is zero on both paths (the input gradient depends on b only through the piecewise-constant
    // slope); d/dk must not be, or the comparison would prove nothing.
    const nonZero = (g[0] ?? []).some((v) => v !== 0);
    result.passed = worst <= TOLERANCE && result.kernelUsed && nonZero;
    result.detail = `worst ${worst.toExponential(2)}; kernels seen ${result.kernelUsed}${nonZero ? '' : '; d/dk is all zeros'}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    tf.dispose([x, k, b, w]);
  }
  result.leakedTensors = tf.memory().numTensors - before;
  result.passed &&= result.leakedTensors === 0;
  return result;
}

/** A NaN input stays NaN through the clamp and the gradient, as in the reference (the NaN watch relies on it). */
export async function biasActNanCase(): Promise<CaseResult> {
  const result = newCaseResult('bias act: NaN passes through clamp and gradient', 0);
  const before = tf.memory().numTensors;
  const p: BiasActParams = { slope: 0.2, gain: Math.SQRT2, clamp: 0.5 };
  const x = tf.tensor2d([[NaN, 2, -3], [0.1, NaN, 7]]);
  const b = tf.tensor1d([0.1, -0.2, 0.3]);
  try {
    const run = (f: typeof biasAct): tf.Tensor[] => tf.tidy(() => [f(x, b, p), tf.grad((xx: tf.Tensor) => tf.sum(f(xx, b, p)))(x)]);
    const got = await Promise.all(run(biasActOp).map(async (t) => { const v = await values(t); t.dispose(); return v; }));
    const want = await Promise.all(run(biasAct).map(async (t) => { const v = await values(t); t.dispose(); return v; }));
    const nanAt = (a: Float32Array): string => [...a].map((v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0).join(',');
    const same = got.every((g, i) => nanAt(g) === nanAt(want[i] ?? new Float32Array()));
    result.kernelUsed = true;
    result.passed = same && nanAt(got[0] ?? new Float32Array()) === '0,4';
    result.detail = `NaN positions: kernel value [${nanAt(got[0]!)}] grad [${nanAt(got[1]!)}], reference value [${nanAt(want[0]!)}] grad [${nanAt(want[1]!)}]`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    tf.dispose([x, b]);
  }
  result.leakedTensors = tf.memory().numTensors - before;
  result.passed &&= result.leakedTensors === 0;
  return result;
}
