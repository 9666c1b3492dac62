/**
 * FusedAdamOptimizer on the cpu backend (its plain-tfjs reference path) against tfjs's own AdamOptimizer:
 * same values over several steps, same getWeights() list, and moments that move between the two through
 * getWeights/setWeights (what a checkpoint does). The WebGPU kernels are compared in tests/gpu/cases-adam.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FusedAdamOptimizer, type NamedTensor } from '../../src/train/fused-adam.ts';

const SHAPES = [[3, 5, 7], [13], [1], [2, 9]];

/** Seeded values in [-1, 1). */
function values(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

function makeVars(seed: number): tf.Variable[] {
  return SHAPES.map((s, i) => tf.tidy(() => tf.variable(values(s, seed + i))));
}

/** Deterministic gradients for step `step`, one per variable. */
function grads(vars: tf.Variable[], step: number): NamedTensor[] {
  return vars.map((v, i) => ({ name: v.name, tensor: tf.tidy(() => values(v.shape, 1000 + 10 * step + i).mul(3)) }));
}

function step(opt: tf.Optimizer, vars: tf.Variable[], t: number): void {
  const g = grads(vars, t);
  opt.applyGradients(g);
  tf.dispose(g.map((x) => x.tensor));
}

async function maxRelDiff(a: tf.Tensor[], b: tf.Tensor[]): Promise<number> {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = await a[i]!.data();
    const y = await b[i]!.data();
    for (let j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j]! - y[j]!) / Math.max(Math.abs(y[j]!), 1e-6));
  }
  return worst;
}

describe('FusedAdamOptimizer (reference path)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const beta1 of [0, 0.9]) {
    it(`matches tf.train.adam over 5 steps (beta1 ${beta1})`, async () => {
      const a = makeVars(1);
      const b = makeVars(1);
      const stock = tf.train.adam(0.01, beta1, 0.99, 1e-8);
      const fused = new FusedAdamOptimizer(0.01, beta1, 0.99, 1e-8);
      for (let t = 0; t < 5; t++) {
        step(stock, a, t);
        step(fused, b, t);
      }
      expect(await maxRelDiff(b, a)).toBeLessThan(1e-6);
      const ws = await stock.getWeights();
      const wf = await fused.getWeights();
      // tfjs's order and names, for each optimizer's own variables.
      const names = (vars: tf.Variable[]): string[] => ['iter', ...vars.map((v) => `${v.name}/m`), ...vars.map((v) => `${v.name}/v`)];
      expect(ws.map((w) => w.name)).toEqual(names(a));
      expect(wf.map((w) => w.name)).toEqual(names(b));
      expect(wf[0]!.name).toBe('iter');
      expect(await wf[0]!.tensor.data()).toEqual(await ws[0]!.tensor.data());
      expect(await maxRelDiff(wf.slice(1).map((w) => w.tensor), ws.slice(1).map((w) => w.tensor))).toBeLessThan(1e-6);
      tf.dispose([wf[0]!.tensor, ws[0]!.tensor]);
      stock.dispose();
      fused.dispose();
      tf.dispose([...a, ...b]);
    });
  }

  it('leaves tf.memory().numTensors flat after the first step, and a null gradient leaves its variable alone', async () => {
    const vars = makeVars(7);
    const opt = new FusedAdamOptimizer(0.01, 0, 0.99, 1e-8);
    step(opt, vars, 0);
    const before = tf.memory().numTensors;
    for (let t = 1; t < 4; t++) step(opt, vars, t);
    expect(tf.memory().numTensors).toBe(before);
    // As in tfjs, a variable whose entry is null (tf.grads can give none) keeps its value and moments.
    const kept = await vars[1]!.data();
    const g = grads(vars, 9);
    const map: tf.NamedTensorMap = Object.fromEntries(g.map((x, i) => [x.name, i === 1 ? (null as unknown as tf.Tensor) : x.tensor]));
    opt.applyGradients(map);
    tf.dispose(g.map((x) => x.tensor));
    expect(await vars[1]!.data()).toEqual(kept);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before - 2 * vars.length);
    tf.dispose(vars);
  });

  for (const direction of ['tf.train.adam -> fused', 'fused -> tf.train.adam'] as const) {
    it(`restores moments written by the other optimizer (${direction})`, async () => {
      const beta1 = 0.5;
      const writerVars = makeVars(3);
      const writer = direction === 'tf.train.adam -> fused' ? tf.train.adam(0.02, beta1, 0.99, 1e-7) : new FusedAdamOptimizer(0.02, beta1, 0.99, 1e-7);
      for (let t = 0; t < 3; t++) step(writer, writerVars, t);
      // Saved as a checkpoint does: plain copies of every tensor, restored by position.
      const saved = await writer.getWeights();
      const copies = saved.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
      saved[0]!.tensor.dispose();

      const readerVars = writerVars.map((v) => tf.variable(v.clone()));
      const reader = direction === 'tf.train.adam -> fused' ? new FusedAdamOptimizer(0.02, beta1, 0.99, 1e-7) : tf.train.adam(0.02, beta1, 0.99, 1e-7);
      await reader.setWeights(copies);
      tf.dispose(copies.map((c) => c.tensor));
      expect(reader.iterations).toBe(3);
      for (let t = 3; t < 6; t++) {
        step(writer, writerVars, t);
        step(reader, readerVars, t);
      }
      // Not bit-exact even between two tfjs optimizers: a restored one recomputes beta^t as pow(beta, t) where
      // the uninterrupted one multiplied it up step by step, a float32 rounding apart.
      expect(await maxRelDiff(readerVars, writerVars)).toBeLessThan(3e-5);
      writer.dispose();
      reader.dispose();
      tf.dispose([...writerVars, ...readerVars]);
    });
  }
});
