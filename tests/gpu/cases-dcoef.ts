/** Demodulation coefficient cases: odd Cin / Cout / N, kernels 1x1 and 3x3. */
import * as tf from '@tensorflow/tfjs';
import { demodulationCoefficients } from '../../src/models/ops/modulated-conv.ts';
import { demodulationCoefficientsOp, DEMOD_COEF, DEMOD_COEF_GRAD } from '../../src/gpu/kernels/index.ts';
import { randomTensor } from './compare.ts';
import type { OpCase } from './harness.ts';

function dcoefCase(k: number, cin: number, cout: number, n: number): OpCase {
  const seed = 31 * k + 7 * cin + cout + 1000 * n;
  return {
    name: `dcoef: kernel ${k}x${k}, Cin ${cin}, Cout ${cout}, N ${n}`,
    inputs: () => [randomTensor([k, k, cin, cout], seed), randomTensor([n, cin], seed + 1, 2)],
    inputNames: ['weight', 'styles'],
    kernel: ([w, s]) => demodulationCoefficientsOp(w as tf.Tensor4D, s as tf.Tensor2D),
    reference: ([w, s]) => demodulationCoefficients(w as tf.Tensor4D, s as tf.Tensor2D),
    kernelNames: [DEMOD_COEF, DEMOD_COEF_GRAD],
  };
}

export function dcoefCases(): OpCase[] {
  return [dcoefCase(1, 7, 5, 3), dcoefCase(3, 5, 9, 5), dcoefCase(3, 33, 17, 7), dcoefCase(1, 65, 31, 1), dcoefCase(3, 127, 129, 3)];
}
