/**
 * Timings for the report (never asserted): our kernels vs their references at generator size, forward and
 * forward + backward, median of several warm runs, each ending with a readback of every result so the GPU
 * work is really done. Shapes: a StyleGAN3 hidden layer (N 16, 36x36x64 -> up 2 -> 12-tap filters -> down 2)
 * and its demodulation coefficients (3x3, 64 -> 64 and 128 -> 128, N 16); the blocked convolutions at the
 * `fast` GAN's two costliest shapes (a 36 px 3x3 layer of G, D's 6x6 stride-2 downsampling at 32 px).
 */
import * as tf from '@tensorflow/tfjs';
import { designLowpassFilter, filteredLrelu, type FilteredLreluParams } from '../../src/models/ops/filtered-lrelu.ts';
import { demodulationCoefficients } from '../../src/models/ops/modulated-conv.ts';
import { channelSumOp, demodulationCoefficientsOp, filteredLreluOp } from '../../src/gpu/kernels/index.ts';
import { channelSumReference } from '../../src/gpu/kernels/channel-sum.ts';
import { setKernelTuning, STOCK_TUNING, type KernelTuning } from '../../src/gpu/kernels/switch.ts';
import { randomTensor } from './compare.ts';
import type { BenchResult } from './types.ts';

type Op = (inputs: tf.Tensor[]) => tf.Tensor;

interface BenchSpec {
  name: string;
  inputs: () => tf.Tensor[];
  kernel: Op;
  reference: Op;
  /** Tuning in effect while the kernel side is timed (tfjs's defaults for the reference); default none. */
  tuning?: Partial<KernelTuning>;
}

async function medianMs(fn: () => tf.Tensor[], runs: number, warmup: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const out = fn();
    await Promise.all(out.map((t) => t.data()));
    const ms = performance.now() - t0;
    tf.dispose(out);
    if (i >= warmup) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

async function timeSpec(spec: BenchSpec, runs: number, warmup: number, kernelOnly: boolean): Promise<BenchResult[]> {
  const inputs = spec.inputs();
  const w = tf.tidy(() => randomTensor(spec.kernel(inputs).shape, 99));
  const modes = [
    ['forward', (op: Op) => () => [op(inputs)]],
    ['forward+backward', (op: Op) => () => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op(xs), w)))(inputs)],
  ] as const;
  const out: BenchResult[] = [];
  for (const [label, wrap] of modes) {
    setKernelTuning(spec.tuning ?? STOCK_TUNING);
    const kernelMs = await medianMs(wrap(spec.kernel), runs, warmup).finally(() => setKernelTuning(STOCK_TUNING));
    const referenceMs = kernelOnly ? NaN : await medianMs(wrap(spec.reference), runs, warmup);
    const r: BenchResult = { name: `${spec.name}: ${label}`, kernelMs, referenceMs, speedup: referenceMs / kernelMs, runs };
    // Progress for whoever watches the console (the spec forwards it): a full run takes minutes in software.
    console.log(`bench ${r.name}: kernel ${kernelMs.toFixed(1)} ms, reference ${referenceMs.toFixed(1)} ms`);
    out.push(r);
  }
  tf.dispose([...inputs, w]);
  return out;
}

const LAYER: FilteredLreluParams = {
  up: 2,
  down: 2,
  upFilter: designLowpassFilter(12, 1, 1.2, 4),
  downFilter: designLowpassFilter(12, 1, 1.2, 4),
  padding: { top: 11, bottom: 10, left: 11, right: 10 }, // 36 in -> 82 temporary -> 36 out
  gain: Math.SQRT2,
  slope: 0.2,
  clamp: 256,
};

/** A generator-sized convolution: the same op on our blocked programs (kernel side) and on tfjs's (reference). */
function convSpec(xs: [number, number, number, number], ws: [number, number, number, number], stride: number, pad: 'same' | number): BenchSpec {
  const conv: Op = ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, typeof pad === 'number' ? [[0, 0], [pad, pad], [pad, pad], [0, 0]] : pad);
  return {
    name: `blocked conv2d [${xs.join('x')}] * [${ws.join('x')}] stride ${stride}`,
    inputs: () => [randomTensor(xs, 11), randomTensor(ws, 12, 0.1)],
    kernel: conv,
    reference: conv,
    tuning: { blockedConv2d: true, blockedConvGradInput: true, blockedConvGradFilter: true },
  };
}

/** 200 chained adds of 64 floats: GPU work near zero, so the time is what each launch costs on this adapter. */
const LAUNCHES: BenchSpec = {
  name: 'launch cost: 200 chained adds of [64]',
  inputs: () => [randomTensor([64], 21)],
  kernel: ([x]) =>
    tf.tidy(() => {
      let y = x as tf.Tensor;
      for (let i = 0; i < 200; i++) y = tf.add(y, 1);
      return y;
    }),
  reference: ([x]) => tf.add(x as tf.Tensor, 200),
};

const SPECS: BenchSpec[] = [
  LAUNCHES,
  convSpec([16, 36, 36, 32], [3, 3, 32, 32], 1, 2),
  convSpec([16, 32, 32, 16], [6, 6, 16, 32], 2, 2),
  {
    name: 'filtered lrelu 16x36x36x64 up2 down2 12/12 taps',
    inputs: () => [randomTensor([16, 36, 36, 64], 1), randomTensor([64], 2, 0.5)],
    kernel: ([x, b]) => filteredLreluOp(x as tf.Tensor4D, b as tf.Tensor1D, LAYER),
    reference: ([x, b]) => filteredLrelu(x as tf.Tensor4D, b as tf.Tensor1D, LAYER),
  },
  ...[4, 16].map((c) => ({
    name: `channel sum ${16384 * (16 / c)}x${c}`,
    inputs: () => [randomTensor([16384 * (16 / c), c], 5)],
    kernel: ([x]: tf.Tensor[]) => channelSumOp(x as tf.Tensor),
    reference: ([x]: tf.Tensor[]) => channelSumReference(x as tf.Tensor),
  })),
  ...[64, 128].map((c) => ({
    name: `dcoef 3x3 ${c}->${c}, N 16`,
    inputs: () => [randomTensor([3, 3, c, c], 3), randomTensor([16, c], 4)],
    kernel: ([w, s]: tf.Tensor[]) => demodulationCoefficientsOp(w as tf.Tensor4D, s as tf.Tensor2D),
    reference: ([w, s]: tf.Tensor[]) => demodulationCoefficients(w as tf.Tensor4D, s as tf.Tensor2D),
  })),
];

/** `only`: run the specs whose name contains it ('' = all); `kernelOnly`: skip the (slow) references. */
export async function runBench(runs = 10, warmup = 2, only = '', kernelOnly = false): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const spec of SPECS.filter((s) => s.name.includes(only))) results.push(...(await timeSpec(spec, runs, warmup, kernelOnly)));
  return results;
}
