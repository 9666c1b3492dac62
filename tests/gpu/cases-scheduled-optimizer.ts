/**
 * ScheduledOptimizer's Adam, AdamW and SGD (the classifier's and segmenters' optimizers) on WebGPU, where they
 * run our fused SsgAdam* / SsgSgdUpdate kernels, against the same optimizer on the CPU backend, where they run
 * the documented ops: several steps with a changing learning rate, on odd sizes, with weight decay on the
 * rank >= 2 weights. Also checks the kernel launches per step (Adam: 3 per variable, plus AdamW's decay
 * multiply or Adam's L2 ops on decayed weights; SGD: 2 per variable) and that further steps leak nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_MOMENT, ADAM_UPDATE, SGD_UPDATE } from '../../src/gpu/kernels/index.ts';
import { ScheduledOptimizer, type OptimizerConfig } from '../../src/train/scheduled-optimizer.ts';
import { maxRelError, randomTensor, values } from './compare.ts';
import { newCaseResult } from './harness.ts';
import type { CaseResult } from './types.ts';

const SHAPES = [[3, 3, 5, 7], [13], [67, 3], [1]];
const STEPS = 4;
const lrAt = (t: number): number => 0.01 * (1 - t / (STEPS + 4));

/** Runs `steps` updates from fixed starting weights and gradients; returns the final weights' values. */
async function train(backend: string, config: OptimizerConfig, profileLast: boolean): Promise<{ weights: Float32Array[]; kernels: string[] }> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const vars = SHAPES.map((s, i) => tf.variable(randomTensor(s, 700 + i)));
  const opt = new ScheduledOptimizer(config, vars);
  let kernels: string[] = [];
  try {
    for (let t = 0; t < STEPS; t++) {
      // Some gradients tiny, so the epsilon matters.
      const grads = SHAPES.map((s, i) => randomTensor(s, 7000 + 13 * t + i, i % 2 ? 1e-3 : 2));
      if (profileLast && t === STEPS - 1) {
        const info = await tf.profile(() => opt.apply(grads, lrAt(t)));
        kernels = info.kernels.map((k) => k.name);
      } else {
        opt.apply(grads, lrAt(t));
      }
      tf.dispose(grads);
    }
    return { weights: await Promise.all(vars.map(values)), kernels };
  } finally {
    opt.dispose();
    tf.dispose(vars);
  }
}

async function scheduledCase(config: OptimizerConfig): Promise<CaseResult> {
  const nesterov = config.kind === 'sgd' && config.nesterov ? ' nesterov' : '';
  const result = newCaseResult(`scheduled ${config.kind}${nesterov} (fused on webgpu), weight decay ${config.weightDecay}: ${STEPS} steps vs cpu`);
  try {
    const gpu = await train('webgpu', config, true);
    const cpu = await train('cpu', config, false);
    await tf.setBackend('webgpu');
    gpu.weights.forEach((w, i) => (result.errors[`p${i}`] = maxRelError(w, cpu.weights[i] ?? new Float32Array())));
    result.kernelUsed = config.kind === 'sgd' ? gpu.kernels.includes(SGD_UPDATE) : gpu.kernels.includes(ADAM_UPDATE) && gpu.kernels.includes(ADAM_MOMENT);
    const decayed = config.weightDecay > 0 ? SHAPES.filter((s) => s.length >= 2).length : 0;
    const expected = config.kind === 'sgd' ? 2 * SHAPES.length : 3 * SHAPES.length + (config.kind === 'adamw' ? decayed : 2 * decayed);
    // Leaks: the same optimizer, three more steps on WebGPU.
    const vars = SHAPES.map((s, i) => tf.variable(randomTensor(s, 800 + i)));
    const opt = new ScheduledOptimizer(config, vars);
    const grads = SHAPES.map((s, i) => randomTensor(s, 9000 + i));
    opt.apply(grads, 0.01);
    await values(vars[0]!);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.backend().numDataIds();
    for (let t = 0; t < 3; t++) opt.apply(grads, 0.01);
    await values(vars[0]!);
    result.leakedTensors = tf.memory().numTensors - tensorsBefore;
    result.leakedDataIds = tf.backend().numDataIds() - dataBefore;
    opt.dispose();
    tf.dispose([...vars, ...grads]);
    const worst = Math.max(...Object.values(result.errors));
    result.passed = worst <= result.tolerance && result.kernelUsed && gpu.kernels.length === expected && result.leakedTensors === 0 && result.leakedDataIds === 0;
    result.detail = `worst ${worst.toExponential(2)}; ${gpu.kernels.length} kernel calls per step (expected ${expected}); leaks ${result.leakedTensors} tensors / ${result.leakedDataIds} data ids`;
  } catch (err) {
    result.passed = false;
    result.detail = `threw: ${(err as Error).message}`;
    await tf.setBackend('webgpu');
  }
  return result;
}

export async function scheduledOptimizerCases(): Promise<CaseResult[]> {
  return [
    await scheduledCase({ kind: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 }),
    await scheduledCase({ kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 5e-4 }),
    await scheduledCase({ kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4 }),
    await scheduledCase({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 }),
  ];
}
