/**
 * Fused optimizer updates on WebGPU: FusedAdamOptimizer (our SsgAdam* kernels) against tfjs's own
 * AdamOptimizer over several steps on odd sizes, with beta1 = 0 (StyleGAN's setting: the 2-launch path) and
 * beta1 = 0.9 (3 launches); and the EMA lerp kernel against its plain-tfjs reference. Each case also checks
 * that the kernels really ran (tf.profile) and that further steps leak no tensors or backend data.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_MOMENT, ADAM_UPDATE, EMA_LERP, emaLerpOp } from '../../src/gpu/kernels/index.ts';
import { emaLerpReference } from '../../src/gpu/kernels/ema-lerp.ts';
import { FusedAdamOptimizer, type NamedTensor } from '../../src/train/fused-adam.ts';
import { maxRelError, randomTensor, values } from './compare.ts';
import { newCaseResult } from './harness.ts';
import type { CaseResult } from './types.ts';

const SHAPES = [[3, 3, 5, 7], [13], [1], [67, 3], [4099]];
const STEPS = 4;

function gradients(vars: tf.Variable[], step: number): NamedTensor[] {
  // Scaled so that some elements are tiny and the epsilon matters.
  return vars.map((v, i) => ({ name: v.name, tensor: randomTensor(v.shape, 5000 + 17 * step + i, i % 2 ? 1e-3 : 2) }));
}

function applyStep(opt: tf.Optimizer, vars: tf.Variable[], step: number): void {
  const g = gradients(vars, step);
  opt.applyGradients(g);
  tf.dispose(g.map((x) => x.tensor));
}

async function adamCase(beta1: number): Promise<CaseResult> {
  const result = newCaseResult(`fused adam: beta1 ${beta1}, ${STEPS} steps vs tf.train.adam`);
  const init = SHAPES.map((s, i) => randomTensor(s, 900 + i));
  const ours = init.map((t) => tf.variable(t.clone()));
  const stock = init.map((t) => tf.variable(t.clone()));
  tf.dispose(init);
  const optOurs = new FusedAdamOptimizer(0.01, beta1, 0.99, 1e-8);
  const optStock = tf.train.adam(0.01, beta1, 0.99, 1e-8);
  try {
    for (let t = 0; t < STEPS - 1; t++) {
      applyStep(optOurs, ours, t);
      applyStep(optStock, stock, t);
    }
    const profile = await tf.profile(async () => {
      applyStep(optOurs, ours, STEPS - 1);
      await values(ours[0]!);
    });
    applyStep(optStock, stock, STEPS - 1);
    const wanted = [ADAM_UPDATE, ADAM_MOMENT];
    const missing = wanted.filter((k) => !profile.kernelNames.includes(k));
    result.kernelUsed = missing.length === 0;
    const launches = profile.kernels.length;
    const expectedLaunches = SHAPES.length * (beta1 === 0 ? 2 : 3);

    for (let i = 0; i < SHAPES.length; i++) {
      result.errors[`p${i}`] = maxRelError(await values(ours[i]!), await values(stock[i]!));
    }
    const [wo, ws] = [await optOurs.getWeights(), await optStock.getWeights()];
    for (let i = 1; i < ws.length; i++) {
      result.errors[`moment ${ws[i]!.name.split('/').pop()}${(i - 1) % SHAPES.length}`] = maxRelError(await values(wo[i]!.tensor), await values(ws[i]!.tensor));
    }
    tf.dispose([wo[0]!.tensor, ws[0]!.tensor]);

    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.backend().numDataIds();
    for (let t = STEPS; t < STEPS + 3; t++) applyStep(optOurs, ours, t);
    await values(ours[0]!);
    result.leakedTensors = tf.memory().numTensors - tensorsBefore;
    result.leakedDataIds = tf.backend().numDataIds() - dataBefore;

    const worst = Math.max(...Object.values(result.errors));
    result.passed = worst <= result.tolerance && result.kernelUsed && launches === expectedLaunches && result.leakedTensors === 0 && result.leakedDataIds === 0;
    result.detail = [
      `worst ${worst.toExponential(2)}`,
      missing.length ? `kernels not seen: ${missing.join(', ')}` : 'kernels seen',
      `${launches} kernel calls for ${SHAPES.length} variables (expected ${expectedLaunches})`,
      `leaks ${result.leakedTensors} tensors / ${result.leakedDataIds} data ids`,
    ].join('; ');
  } catch (err) {
    result.passed = false;
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    optOurs.dispose();
    optStock.dispose();
    tf.dispose([...ours, ...stock]);
  }
  return result;
}

async function emaLerpCase(shape: number[], beta: number, seed: number): Promise<CaseResult> {
  const result = newCaseResult(`ema lerp: [${shape.join(', ')}], beta ${beta}`);
  const ema = randomTensor(shape, seed);
  const source = randomTensor(shape, seed + 1);
  try {
    const profile = await tf.profile(async () => {
      const y = emaLerpOp(ema, source, beta);
      await values(y);
      y.dispose();
    });
    result.kernelUsed = profile.kernelNames.includes(EMA_LERP) && profile.kernels.length === 1;
    const got = emaLerpOp(ema, source, beta);
    const want = emaLerpReference(ema, source, beta);
    result.errors['value'] = maxRelError(await values(got), await values(want));
    tf.dispose([got, want]);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) tf.tidy(() => emaLerpOp(ema, source, beta)).dispose();
    result.leakedTensors = tf.memory().numTensors - tensorsBefore;
    result.leakedDataIds = tf.backend().numDataIds() - dataBefore;
    const worst = result.errors['value'] ?? Infinity;
    result.passed = worst <= result.tolerance && result.kernelUsed && result.leakedTensors === 0 && result.leakedDataIds === 0;
    result.detail = `worst ${worst.toExponential(2)}; ${result.kernelUsed ? 'one SsgEmaLerp launch' : 'kernel not seen alone'}; leaks ${result.leakedTensors} tensors / ${result.leakedDataIds} data ids`;
  } catch (err) {
    result.passed = false;
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    tf.dispose([ema, source]);
  }
  return result;
}

export async function adamCases(): Promise<CaseResult[]> {
  return [await adamCase(0), await adamCase(0.9), await emaLerpCase([3, 5, 7, 9], 0.999, 61), await emaLerpCase([1], 0.5, 62), await emaLerpCase([4099], 0, 63)];
}
