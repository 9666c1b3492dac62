/**
 * The in-page half of `npm run bench -- selective-scan` and `npm run bench -- seg-step`.
 *
 * selective-scan: selectiveScanOp on random operands shaped as SS2D makes them (delta in (0, 0.6], A < 0),
 * forward alone and forward + the gradients of all six operands, each iteration ending with a readback (so
 * it covers the GPU work). With `kernels` off the same op runs the plain-tfjs reference.
 * seg-step: one training step of VM-UNet-lite or the U-Net (BCE + Dice, AdamW 1e-3, as VM-UNet trains),
 * the same step as src/train/segmenter-train.ts's segTrainStep, ending with the loss readback.
 */
import * as tf from '@tensorflow/tfjs';
import { selectiveScanOp, setSsgKernelsEnabled } from '../../src/gpu/kernels/index.ts';
import type { Segmenter } from '../../src/models/segmenter.ts';
import { UNet } from '../../src/models/unet.ts';
import { unetPreset } from '../../src/models/unet-config.ts';
import { VMUNet } from '../../src/models/vmunet.ts';
import { vmunetPreset } from '../../src/models/vmunet-config.ts';
import { segmentationLoss } from '../../src/train/seg-losses.ts';
import { DEFAULT_ADAMW, ScheduledOptimizer } from '../../src/train/scheduled-optimizer.ts';
import type { ScanBenchOptions, ScanBenchResult, SegStepBenchOptions, SegStepBenchResult } from './types.ts';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

async function timeIt(iters: number, warmup: number, once: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once();
  const ms: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await once();
    ms.push(performance.now() - t0);
  }
  return ms;
}

type Six = [tf.Tensor3D, tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.Tensor3D, tf.Tensor1D];

export async function benchSelectiveScan(o: ScanBenchOptions, adapter: string, compatibilityMode: boolean): Promise<ScanBenchResult> {
  setSsgKernelsEnabled(o.kernels);
  const { batch, len, channels, states } = o;
  const ops = tf.tidy(() => [
    tf.randomUniform([batch, len, channels], -1, 1, 'float32', 1),
    tf.randomUniform([batch, len, channels], 0.01, 0.6, 'float32', 2),
    tf.randomUniform([channels, states], -3, -0.05, 'float32', 3),
    tf.randomUniform([batch, len, states], -1, 1, 'float32', 4),
    tf.randomUniform([batch, len, states], -1, 1, 'float32', 5),
    tf.randomUniform([channels], -1, 1, 'float32', 6),
  ]) as Six;
  const w = tf.randomUniform([batch, len, channels], -1, 1, 'float32', 7);
  try {
    const forward = async (): Promise<void> => {
      const y = selectiveScanOp(...ops);
      await y.data();
      y.dispose();
    };
    const backward = async (): Promise<void> => {
      const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(selectiveScanOp(...(xs as Six)), w)))(ops);
      await Promise.all(grads.map((g) => g.data()));
      tf.dispose(grads);
    };
    const tensorsBefore = tf.memory().numTensors;
    const forwardIterMs = await timeIt(o.iters, o.warmup, forward);
    const backwardIterMs = await timeIt(o.iters, o.warmup, backward);
    return {
      kernels: o.kernels,
      adapter,
      compatibilityMode,
      forwardMs: median(forwardIterMs),
      backwardMs: median(backwardIterMs),
      forwardIterMs,
      backwardIterMs,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
    };
  } finally {
    tf.dispose([...ops, w]);
    setSsgKernelsEnabled(true);
  }
}

/** Count the WebGPU backend's program launches while `fn` runs (null off WebGPU). */
async function countLaunches(fn: () => Promise<void>): Promise<number | null> {
  const backend = tf.backend() as unknown as Record<string, unknown>;
  const original = backend['runWebGPUProgram'];
  if (tf.getBackend() !== 'webgpu' || typeof original !== 'function') {
    await fn();
    return null;
  }
  let launches = 0;
  backend['runWebGPUProgram'] = function (this: unknown, ...args: unknown[]) {
    launches++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  try {
    await fn();
    return launches;
  } finally {
    backend['runWebGPUProgram'] = original;
  }
}

export async function benchSegStep(o: SegStepBenchOptions, adapter: string): Promise<SegStepBenchResult> {
  setSsgKernelsEnabled(o.kernels);
  const data = { inputSize: o.size, channels: o.channels };
  const model: Segmenter = o.model === 'vmunet' ? new VMUNet(vmunetPreset(o.preset, data, 1)) : new UNet(unetPreset(o.preset, data, 1));
  const vars = model.trainableVariables();
  const optimizer = new ScheduledOptimizer(DEFAULT_ADAMW, vars);
  const x = tf.randomUniform([o.batch, o.size, o.size, o.channels], -1, 1, 'float32', 11) as tf.Tensor4D;
  const masks = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([o.batch, o.size, o.size], 0, 1, 'float32', 12), 0.7), 'float32')) as tf.Tensor3D;
  try {
    const step = async (): Promise<void> => {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => segmentationLoss('bcedice', model.forward(x, true), masks, [0, 0], null), vars);
        optimizer.apply(vars.map((v) => grads[v.name] as tf.Tensor), 1e-3);
        return value;
      });
      await loss.data();
      loss.dispose();
    };
    for (let i = 0; i < o.warmup; i++) await step();
    const kernelTotals: SegStepBenchResult['kernelTotals'] = [];
    if (o.profileKernels) {
      // Where one step's GPU time goes by kind of op (convolutions, normalisation, optimizer arithmetic...).
      const info = await tf.profile(step);
      const byName = new Map<string, { ms: number; calls: number }>();
      for (const k of info.kernels) {
        const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
        e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        e.calls++;
        byName.set(k.name, e);
      }
      kernelTotals.push(...[...byName.entries()].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms));
    }
    const tensorsBefore = tf.memory().numTensors;
    const launches = await countLaunches(step);
    const iterMs = await timeIt(o.iters, 0, step);
    return {
      model: o.model,
      kernels: o.kernels,
      adapter,
      params: model.parameterCount(),
      iterMs,
      medianMs: median(iterMs),
      launchesPerIter: launches,
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      kernelTotals,
    };
  } finally {
    tf.dispose([x, masks]);
    optimizer.dispose();
    model.dispose();
    setSsgKernelsEnabled(true);
  }
}
