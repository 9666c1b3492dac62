/**
 * Selective-scan cases: the kernel op against the plain-tfjs reference for values and the gradients of all
 * six operands, at odd lengths (1, 7, 33: one, one partial and three checkpoint chunks; 16 and 50 around the
 * chunk size) and state sizes (1, 3, 5, and the kernel's maximum 16); plus a whole tiny VM-UNet (patch
 * embedding, VSS blocks with SS2D's four directions, merging, expanding) with the kernel on and off: logits
 * and the gradient of every weight. That case allows 1e-3 relative, as the other whole-path case (R1) does:
 * each op agrees to about 1e-5, and some 50 ops later (layer norms divide by small variances, bias gradients
 * sum over every pixel) float32 rounding differences reach about 2e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { selectiveScan } from '../../src/models/ops/selective-scan.ts';
import { SELECTIVE_SCAN, SELECTIVE_SCAN_GRAD, selectiveScanOp, setSsgKernelsEnabled } from '../../src/gpu/kernels/index.ts';
import { VMUNet } from '../../src/models/vmunet.ts';
import { vmunetPreset } from '../../src/models/vmunet-config.ts';
import { maxRelError, randomTensor, rng, values } from './compare.ts';
import { newCaseResult, type OpCase } from './harness.ts';
import type { CaseResult } from './types.ts';

/** Uniform in [lo, hi), seeded. */
function uniformTensor(shape: number[], seed: number, lo: number, hi: number): tf.Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * r()), shape);
}

type Six = [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];

function scanCase(batch: number, len: number, channels: number, states: number, seed: number): OpCase {
  return {
    name: `selective scan: batch ${batch}, L ${len}, channels ${channels}, N ${states}`,
    // As a model makes them: delta = softplus(...) > 0, A = -exp(A_log) < 0.
    inputs: () => [
      randomTensor([batch, len, channels], seed),
      uniformTensor([batch, len, channels], seed + 1, 0.01, 0.6),
      uniformTensor([channels, states], seed + 2, -3, -0.05),
      randomTensor([batch, len, states], seed + 3),
      randomTensor([batch, len, states], seed + 4),
      randomTensor([channels], seed + 5),
    ],
    inputNames: ['x', 'delta', 'A', 'B', 'C', 'D'],
    kernel: (ts) => selectiveScanOp(...(ts as Six)),
    reference: (ts) => selectiveScan(...(ts as Six)),
    kernelNames: [SELECTIVE_SCAN, SELECTIVE_SCAN_GRAD],
  };
}

export function selectiveScanCases(): OpCase[] {
  return [
    scanCase(2, 7, 5, 3, 31),
    scanCase(3, 33, 5, 5, 32),
    scanCase(2, 1, 3, 1, 33),
    scanCase(1, 16, 5, 16, 34),
    scanCase(4, 50, 7, 4, 35),
  ];
}

/** Logits and d/d(every weight) of sum(w * logits), on whatever path selectiveScanOp takes now. */
function modelForwardAndGrads(model: VMUNet, x: tf.Tensor4D, w: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    const vars = model.trainableVariables();
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(x, true), w)), vars);
    const logits = model.forward(x, true);
    return [logits, value, ...vars.map((v) => grads[v.name] as tf.Tensor)];
  });
}

const WHOLE_MODEL_TOLERANCE = 1e-3;

export const VMUNET_CASE_NAME = 'selective scan: whole tiny VM-UNet (VSS blocks), kernel vs reference on webgpu';

export async function vmunetKernelCase(): Promise<CaseResult> {
  const result = newCaseResult(VMUNET_CASE_NAME, WHOLE_MODEL_TOLERANCE);
  const before = tf.memory().numTensors;
  const model = new VMUNet(vmunetPreset('tiny', { inputSize: 16, channels: 1 }, 3));
  const x = randomTensor([2, 16, 16, 1], 41) as tf.Tensor4D;
  const w = randomTensor([2, 16, 16, 2], 42);
  try {
    let got: tf.Tensor[] = [];
    const profile = await tf.profile(() => {
      got = modelForwardAndGrads(model, x, w);
      return got;
    });
    setSsgKernelsEnabled(false);
    let want: tf.Tensor[];
    try {
      want = modelForwardAndGrads(model, x, w);
    } finally {
      setSsgKernelsEnabled(true);
    }
    const [g, e] = await Promise.all([Promise.all(got.map(values)), Promise.all(want.map(values))]);
    tf.dispose([...got, ...want]);
    result.errors['value'] = maxRelError(g[0] ?? [], e[0] ?? []);
    let worstGrad = 0;
    let worstKey = '';
    const keys = Object.keys(model.params.trainable);
    keys.forEach((k, i) => {
      const err = maxRelError(g[i + 2] ?? [], e[i + 2] ?? []);
      if (!(err <= worstGrad)) [worstGrad, worstKey] = [err, k];
    });
    result.errors['d/dweights (worst)'] = worstGrad;
    const names = profile.kernels.map((k) => k.name);
    result.kernelUsed = names.includes(SELECTIVE_SCAN) && names.includes(SELECTIVE_SCAN_GRAD);
    const worst = Math.max(...Object.values(result.errors));
    result.passed = worst <= WHOLE_MODEL_TOLERANCE && result.kernelUsed;
    result.detail = `worst ${worst.toExponential(2)} (worst weight gradient: ${worstKey}); ${keys.length} weights; kernels seen ${result.kernelUsed}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    tf.dispose([x, w]);
    model.dispose();
  }
  result.leakedTensors = tf.memory().numTensors - before;
  result.passed &&= result.leakedTensors === 0;
  return result;
}
