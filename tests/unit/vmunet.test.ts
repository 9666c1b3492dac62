// VM-UNet-lite and its ops on tfjs's CPU backend (where the selective scan is the plain-tfjs reference): the
// reference scan against a float64 loop, its gradients against finite differences of that loop, the patch
// and scanning-order helpers, output shapes, parameter counts, seeding, weight round trips and tensor hygiene
// across training steps.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { rng } from '../gpu/compare.ts';
import { selectiveScanOp } from '../../src/gpu/kernels/index.ts';
import { selectiveScan } from '../../src/models/ops/selective-scan.ts';
import { depthToSpace, spaceToDepth } from '../../src/models/ops/patches.ts';
import { crossMerge, crossScan } from '../../src/models/ops/scan-directions.ts';
import { layerNorm } from '../../src/models/ops/layer-norm.ts';
import type { Segmenter } from '../../src/models/segmenter.ts';
import { UNet } from '../../src/models/unet.ts';
import { unetPreset } from '../../src/models/unet-config.ts';
import { VMUNet } from '../../src/models/vmunet.ts';
import { validateVMUNetConfig, vmunetPreset } from '../../src/models/vmunet-config.ts';
import { segmentationLoss } from '../../src/train/seg-losses.ts';
import { DEFAULT_ADAMW, ScheduledOptimizer } from '../../src/train/scheduled-optimizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface ScanOperands {
  batch: number;
  len: number;
  channels: number;
  states: number;
  x: number[];
  delta: number[];
  A: number[];
  B: number[];
  C: number[];
  D: number[];
}

/** Random operands as a model makes them: delta in (0, 0.5], A = -exp(A_log) in [-3, -0.05]. */
function operands(batch: number, len: number, channels: number, states: number, seed: number): ScanOperands {
  const r = rng(seed);
  const u = (n: number, lo: number, hi: number): number[] => Array.from({ length: n }, () => lo + (hi - lo) * r());
  return {
    batch, len, channels, states,
    x: u(batch * len * channels, -1, 1),
    delta: u(batch * len * channels, 0.01, 0.5),
    A: u(channels * states, -3, -0.05),
    B: u(batch * len * states, -1, 1),
    C: u(batch * len * states, -1, 1),
    D: u(channels, -1, 1),
  };
}

/** The recurrence as written, in float64. */
function scanLoop(o: ScanOperands): Float64Array {
  const { batch, len, channels: dc, states: n } = o;
  const y = new Float64Array(batch * len * dc);
  for (let b = 0; b < batch; b++) {
    for (let d = 0; d < dc; d++) {
      const h = new Float64Array(n);
      for (let t = 0; t < len; t++) {
        const row = b * len + t;
        const x = o.x[row * dc + d]!;
        const delta = o.delta[row * dc + d]!;
        let acc = o.D[d]! * x;
        for (let s = 0; s < n; s++) {
          h[s] = Math.exp(delta * o.A[d * n + s]!) * h[s]! + delta * o.B[row * n + s]! * x;
          acc += o.C[row * n + s]! * h[s]!;
        }
        y[row * dc + d] = acc;
      }
    }
  }
  return y;
}

const NAMES = ['x', 'delta', 'A', 'B', 'C', 'D'] as const;

function tensorsOf(o: ScanOperands): tf.Tensor[] {
  const { batch, len, channels, states } = o;
  return [
    tf.tensor3d(o.x, [batch, len, channels]),
    tf.tensor3d(o.delta, [batch, len, channels]),
    tf.tensor2d(o.A, [channels, states]),
    tf.tensor3d(o.B, [batch, len, states]),
    tf.tensor3d(o.C, [batch, len, states]),
    tf.tensor1d(o.D),
  ];
}

function scanOf(ts: tf.Tensor[]): tf.Tensor3D {
  const [x, delta, A, B, C, D] = ts as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];
  return selectiveScan(x, delta, A, B, C, D);
}

function maxRel(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]!));
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!) / Math.max(Math.abs(e[i]!), 1e-2 * scale, 1e-30));
  return worst;
}

describe('selective scan reference', () => {
  it('equals the recurrence written as a loop (odd lengths and state sizes, L = 1 included)', () => {
    for (const [batch, len, channels, states, seed] of [[2, 7, 5, 3, 1], [1, 33, 5, 5, 2], [3, 1, 2, 1, 3], [2, 16, 3, 4, 4]] as const) {
      const o = operands(batch, len, channels, states, seed);
      const ts = tensorsOf(o);
      const y = scanOf(ts);
      expect(y.shape).toEqual([batch, len, channels]);
      expect(maxRel(y.dataSync(), scanLoop(o))).toBeLessThan(1e-5);
      // Off WebGPU the dispatching op is the reference itself.
      const [x, delta, A, B, C, D] = ts as [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];
      const viaOp = selectiveScanOp(x, delta, A, B, C, D);
      expect(Array.from(viaOp.dataSync())).toEqual(Array.from(y.dataSync()));
      tf.dispose([...ts, y, viaOp]);
    }
  });

  it('has the gradients of the loop (central differences in float64) for all six operands', () => {
    const o = operands(2, 7, 3, 3, 5);
    const w = Array.from({ length: 2 * 7 * 3 }, (_, i) => Math.sin(i + 1));
    const loss = (p: ScanOperands): number => scanLoop(p).reduce((s, v, i) => s + v * w[i]!, 0);
    const ts = tensorsOf(o);
    const wT = tf.tensor3d(w, [2, 7, 3]);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(scanOf(xs), wT)))(ts);
    const eps = 1e-5;
    NAMES.forEach((name, k) => {
      const analytic = grads[k]!.dataSync();
      const numeric = new Float64Array(analytic.length);
      for (let i = 0; i < analytic.length; i++) {
        const up = { ...o, [name]: o[name].map((v, j) => (j === i ? v + eps : v)) };
        const down = { ...o, [name]: o[name].map((v, j) => (j === i ? v - eps : v)) };
        numeric[i] = (loss(up) - loss(down)) / (2 * eps);
      }
      expect(maxRel(analytic, numeric), `d/d${name}`).toBeLessThan(2e-4);
    });
    tf.dispose([...ts, wT, ...grads]);
  });

  it('rejects mismatched shapes with the shapes in the message', () => {
    const ts = tensorsOf(operands(1, 4, 2, 3, 6));
    const bad = tf.zeros([1, 4, 2]);
    expect(() => selectiveScan(ts[0] as tf.Tensor3D, ts[1] as tf.Tensor3D, ts[2] as tf.Tensor2D, bad as tf.Tensor3D, ts[4] as tf.Tensor3D, ts[5] as tf.Tensor1D)).toThrow(/B and C must be \[batch, L, N\].*B \[1,4,2\]/);
    tf.dispose([...ts, bad]);
  });
});

describe('VM-UNet ops', () => {
  it('patch embedding as spaceToDepth + matMul equals a 4x4 stride-4 convolution; depthToSpace inverts it', () => {
    const x = tf.randomNormal([2, 8, 12, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([4, 4, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const ours = tf.reshape(tf.matMul(tf.reshape(spaceToDepth(x, 4), [-1, 48]), tf.reshape(w, [48, 5])), [2, 2, 3, 5]);
    const ref = tf.conv2d(x, w, 4, 'valid');
    expect(tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0]).toBeLessThan(1e-4);
    const back = depthToSpace(spaceToDepth(x, 2), 2);
    expect(tf.max(tf.abs(tf.sub(back, x))).dataSync()[0]).toBe(0);
    tf.dispose([x, w, ours, ref, back]);
  });

  it('crossScan reads rows, columns and both reversed; crossMerge puts each back', () => {
    const x = tf.tensor4d(Array.from({ length: 6 }, (_, i) => i), [1, 2, 3, 1]);
    const s = crossScan(x);
    expect(Array.from(s.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 0, 3, 1, 4, 2, 5, 5, 4, 3, 2, 1, 0, 5, 2, 4, 1, 3, 0]);
    const m = crossMerge(s, 2, 3);
    expect(Array.from(m.dataSync())).toEqual([0, 4, 8, 12, 16, 20]);
    tf.dispose([x, s, m]);
  });

  it('layer norm matches the formula', () => {
    const x = tf.tensor2d([[1, 2, 4], [-1, 0, 3]]);
    const y = layerNorm(x, tf.tensor1d([1, 2, 0.5]), tf.tensor1d([0, 1, -1]), 1e-5).arraySync();
    const row = (v: number[], i: number): number => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const s = v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
      return ((v[i]! - m) / Math.sqrt(s + 1e-5)) * [1, 2, 0.5][i]! + [0, 1, -1][i]!;
    };
    [[1, 2, 4], [-1, 0, 3]].forEach((v, r) => v.forEach((_, i) => expect(y[r]![i]).toBeCloseTo(row(v, i), 5)));
    x.dispose();
  });
});

const images = (n: number, size: number, channels: number, seed: number): tf.Tensor4D =>
  tf.randomUniform([n, size, size, channels], -1, 1, 'float32', seed) as tf.Tensor4D;

describe('VMUNet', () => {
  it('gives [B, S, S, 2] finite logits for 1 and 3 channels, full-rank and low-rank delta', () => {
    for (const channels of [1, 3] as const) {
      for (const dtRank of ['auto', null] as const) {
        const model = new VMUNet(vmunetPreset('tiny', { inputSize: 16, channels }, 1, { dtRank }));
        const x = images(2, 16, channels, 4);
        const y = model.forward(x, true);
        expect(y.shape).toEqual([2, 16, 16, 2]);
        expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
        expect(() => model.forward(images(1, 8, channels, 1), false)).toThrow(/expected \[B, 16, 16/);
        tf.dispose([x, y]);
        model.dispose();
      }
    }
  });

  it('satisfies the Segmenter interface like the U-Net, and has the documented parameter counts', () => {
    const vm: Segmenter = new VMUNet(vmunetPreset('tiny', { inputSize: 16, channels: 1 }));
    const un: Segmenter = new UNet(unetPreset('tiny', { inputSize: 16, channels: 1 }));
    expect(vm.parameterCount()).toBe(7_794);
    const small = new VMUNet(vmunetPreset('small', { inputSize: 64, channels: 1 }));
    const unetSmall = new UNet(unetPreset('small', { inputSize: 64, channels: 1 }));
    // About the U-Net 'small' preset's size, as the preset's comment says.
    expect(small.parameterCount()).toBe(490_914);
    expect(Math.abs(small.parameterCount() / unetSmall.parameterCount() - 1)).toBeLessThan(0.05);
    [vm, un, small, unetSmall].forEach((m) => m.dispose());
  });

  it('rejects configs it cannot build, saying what to use', () => {
    expect(() => vmunetPreset('small', { inputSize: 48, channels: 1 })).toThrow(/divisible by patchSize \* 2\^\(stages - 1\) = 32.*use 32 or 64 px/);
    const ok = vmunetPreset('tiny', { inputSize: 16, channels: 1 });
    expect(() => validateVMUNetConfig({ ...ok, decoderDepths: [] })).toThrow(/decoderDepths must have 1/);
    expect(() => validateVMUNetConfig({ ...ok, embedDim: 6 })).toThrow(/embedDim/);
    expect(() => validateVMUNetConfig({ ...ok, convKernel: 2 })).toThrow(/convKernel/);
  });

  it('is deterministic under its seed, and round-trips its weights', async () => {
    const x = images(2, 16, 1, 5);
    const cfg = (seed: number) => vmunetPreset('tiny', { inputSize: 16, channels: 1 }, seed);
    const [a, b, c] = [new VMUNet(cfg(7)), new VMUNet(cfg(7)), new VMUNet(cfg(8))];
    const [ya, yb, yc] = [a, b, c].map((m) => m.forward(x, false)) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const diff = (p: tf.Tensor, q: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0] ?? NaN);
    expect(diff(ya, yb)).toBe(0);
    expect(diff(ya, yc)).toBeGreaterThan(1e-4);
    c.setWeights(await a.getWeights());
    const yc2 = c.forward(x, false);
    expect(diff(ya, yc2)).toBe(0);
    const other = new VMUNet(vmunetPreset('tiny', { inputSize: 16, channels: 1 }, 7, { dtRank: null }));
    await expect(async () => other.setWeights(await a.getWeights())).rejects.toThrow(/x_proj|dt_proj/);
    tf.dispose([x, ya, yb, yc, yc2]);
    [a, b, c, other].forEach((m) => m.dispose());
    expect(() => a.forward(x, false)).toThrow(/after dispose/);
  });

  it('trains (loss goes down on a fixed batch) and leaves the tensor count flat across steps', () => {
    const model = new VMUNet(vmunetPreset('tiny', { inputSize: 16, channels: 1 }, 2));
    const opt = new ScheduledOptimizer(DEFAULT_ADAMW, model.trainableVariables());
    const x = images(2, 16, 1, 6);
    const y = tf.tidy(() => tf.cast(tf.greater(tf.sum(x, 3), 0), 'float32')) as tf.Tensor3D;
    const vars = model.trainableVariables();
    const step = (): number =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => segmentationLoss('bcedice', model.forward(x, true), y, [0, 0], null), vars);
        opt.apply(vars.map((v) => grads[v.name] as tf.Tensor), 3e-3);
        return value.dataSync()[0] ?? NaN;
      });
    const first = step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 4; i++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    opt.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});
