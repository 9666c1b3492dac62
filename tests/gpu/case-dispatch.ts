/**
 * The dispatching ops fall back to the plain-tfjs reference, unchanged, where our kernels do not apply:
 * on another backend (cpu here) and for arguments the kernel does not take (more than 64 filter taps).
 * Checked by identical numbers and by the absence of our kernel names in tf.profile.
 */
import * as tf from '@tensorflow/tfjs';
import { designLowpassFilter, filteredLrelu, type FilteredLreluParams } from '../../src/models/ops/filtered-lrelu.ts';
import { demodulationCoefficients } from '../../src/models/ops/modulated-conv.ts';
import { demodulationCoefficientsOp, filteredLreluOp } from '../../src/gpu/kernels/index.ts';
import { maxRelError, randomTensor, values } from './compare.ts';
import type { CaseResult } from './types.ts';

const SSG = /^Ssg/;

/** Runs the chosen ops through the dispatcher and through the reference on `backend`; they must agree exactly. */
async function sameAsReference(name: string, backend: string, p: FilteredLreluParams, withDcoef: boolean): Promise<CaseResult> {
  const result: CaseResult = { name, passed: false, errors: {}, tolerance: 0, kernelUsed: null, leakedTensors: 0, leakedDataIds: 0, detail: '' };
  try {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
    const x = randomTensor([2, 5, 7, 4], 11) as tf.Tensor4D;
    const b = randomTensor([4], 12) as tf.Tensor1D;
    const w = randomTensor([3, 3, 4, 5], 13) as tf.Tensor4D;
    const s = randomTensor([2, 4], 14) as tf.Tensor2D;
    const viaOps = () => [filteredLreluOp(x, b, p), ...(withDcoef ? [demodulationCoefficientsOp(w, s)] : [])];
    const viaReference = () => [filteredLrelu(x, b, p), ...(withDcoef ? [demodulationCoefficients(w, s)] : [])];
    let got: Float32Array[] = [];
    const profile = await tf.profile(async () => {
      const ys = viaOps();
      got = await Promise.all(ys.map(values));
      tf.dispose(ys);
    });
    const ys = viaReference();
    const want = await Promise.all(ys.map(values));
    tf.dispose([...ys, x, b, w, s]);
    ['filtered lrelu', 'dcoef'].slice(0, want.length).forEach((k, i) => (result.errors[k] = maxRelError(got[i] ?? [], want[i] ?? [])));
    result.kernelUsed = profile.kernelNames.some((k) => SSG.test(k));
    result.passed = !result.kernelUsed && Object.values(result.errors).every((e) => e === 0);
    result.detail = result.kernelUsed ? `an Ssg kernel ran: ${profile.kernelNames.join(', ')}` : 'reference path, identical numbers';
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    await tf.setBackend('webgpu');
  }
  return result;
}

export async function dispatchCases(): Promise<CaseResult[]> {
  const p: FilteredLreluParams = {
    up: 2,
    down: 2,
    upFilter: designLowpassFilter(12, 1, 1.2, 4),
    downFilter: designLowpassFilter(12, 1, 1.2, 4),
    padding: { top: 10, bottom: 9, left: 10, right: 9 },
    gain: Math.SQRT2,
    slope: 0.2,
    clamp: null,
  };
  // 65 up taps exceed the kernel's uniform arrays; the padding keeps the output non-empty.
  const tooLong: FilteredLreluParams = { ...p, upFilter: designLowpassFilter(65, 1, 1.2, 4), padding: { top: 40, bottom: 40, left: 40, right: 40 } };
  return [
    await sameAsReference('dispatch: on the cpu backend both ops are the references', 'cpu', p, true),
    await sameAsReference('dispatch: on webgpu a 65-tap filter falls back to the reference', 'webgpu', tooLong, false),
  ];
}
