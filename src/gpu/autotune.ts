/**
 * Per-adapter choice between tfjs's tiled WebGPU programs and barrier-free ones (src/gpu/kernels/switch.ts):
 * naive or register-blocked Conv2D, blocked convolution gradients, naive BatchMatMul, flat Sum and Mean.
 *
 * tfjs's Conv2D and MatMul programs tile through workgroup memory with a barrier per tile. A GPU runs those
 * well; a CPU implementation of WebGPU (SwiftShader, lavapipe) runs every barrier as a coroutine switch and
 * loses most of its time there, where one invocation per output with a plain loop runs at memory speed.
 * Which wins is a property of the adapter, so it is measured, not guessed: a few warm runs of each variant
 * on small shapes like the models' (about a second on SwiftShader), and the result is cached in IndexedDB
 * under the adapter's identity so later starts skip it.
 */
import * as tf from '@tensorflow/tfjs';
import { del, get, set } from 'idb-keyval';
import { db } from '../data/idb.ts';
import type { AdapterReport } from '../worker/protocol.ts';
import { setKernelTuning, STOCK_TUNING, type KernelTuning } from './kernels/switch.ts';

/** Bump when the candidates or the shapes change, so cached choices are measured again. */
const AUTOTUNE_VERSION = 4;

/** Ops per timed sample: one readback per sample, so on a real GPU the readback latency does not decide. */
const OPS_PER_SAMPLE = 8;

export interface AutotuneReport {
  tuning: KernelTuning;
  /** Median ms of the measured ops per variant; null when the choice came from the cache. */
  measured: {
    conv2d: { tiled: number; naive: number; blocked: number };
    matmul: { tiled: number; naive: number; blocked: number };
    /** The convolution's input and filter gradients: tfjs's programs vs our blocked ones. */
    convGradInput: { tiled: number; blocked: number };
    convGradFilter: { tiled: number; blocked: number };
    /** Sums and means over leading, middle and trailing axes: tfjs's vs our barrier-free one. */
    reduce: { tiled: number; flat: number };
  } | null;
  cached: boolean;
  /** The cache key (adapter identity). */
  key: string;
  ms: number;
}

/**
 * The adapter's identity plus the browser and tfjs versions (a driver or tfjs update can change the answer).
 * Real GPUs often report an empty device and description, so two GPUs of one architecture can share a key:
 * the cost is a choice measured on a sibling, which the self-test still checks for correctness.
 */
export function adapterKey(a: AdapterReport): string {
  const browser = /(Chrom(e|ium)|Edg)\/[\d.]+/.exec(globalThis.navigator?.userAgent ?? '')?.[0] ?? 'unknown-browser';
  return `autotune:v${AUTOTUNE_VERSION}:${a.vendor}|${a.architecture}|${a.device}|${a.description}|${a.compatibilityMode ? 'compat' : 'core'}|${browser}|tfjs ${tf.version.tfjs}`;
}

/** Forget the cached choice for this adapter (after a failed self-test under it). */
export async function forgetTuning(a: AdapterReport): Promise<void> {
  await del(adapterKey(a), db()).catch(() => undefined);
}

/**
 * Median ms of `runs` samples, each running `op` OPS_PER_SAMPLE times and reading every result back. A variant
 * whose first warm sample already takes over 3x `bound` (the best variant's median) is clearly slower and is
 * not sampled further (that sample is its figure): on SwiftShader tfjs's programs took most of a 13-17 s
 * autotune otherwise.
 */
async function medianMs(op: () => tf.Tensor, bound = Infinity, runs = 3): Promise<number> {
  const sample = async (): Promise<number> => {
    const t0 = performance.now();
    const outs = Array.from({ length: OPS_PER_SAMPLE }, op);
    await Promise.all(outs.map((o) => o.data()));
    tf.dispose(outs);
    return performance.now() - t0;
  };
  const compile = op(); // shader compilation, kept out of every sample
  await compile.data();
  compile.dispose();
  const first = await sample(); // warm-up: buffer pool
  if (first > 3 * bound) return first;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await sample());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Infinity;
}

/** Times the same ops under each tuning; the ops mirror the models' shapes (small channels, 16-36 px maps). */
async function measure(): Promise<NonNullable<AutotuneReport['measured']>> {
  const x = tf.randomNormal([4, 20, 20, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 16, 16], 0, 1, 'float32', 2) as tf.Tensor4D;
  const dy = tf.randomNormal([4, 20, 20, 16], 0, 1, 'float32', 7) as tf.Tensor4D;
  const tall = tf.randomNormal([1600, 16], 0, 1, 'float32', 3) as tf.Tensor2D;
  const square = tf.randomNormal([16, 16], 0, 1, 'float32', 4) as tf.Tensor2D;
  const wide = tf.randomNormal([16, 256], 0, 1, 'float32', 5) as tf.Tensor2D;
  const wideW = tf.randomNormal([256, 64], 0, 1, 'float32', 6) as tf.Tensor2D;
  const conv = (): tf.Tensor => tf.conv2d(x, w, 1, 'same');
  // The two gradient kernels alone, exactly as tfjs's conv2d gradient calls them.
  const convAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined } as const;
  const gradInput = (): tf.Tensor => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...convAttrs, inputShape: x.shape } as unknown as tf.NamedAttrMap);
  const gradFilter = (): tf.Tensor => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...convAttrs, filterShape: w.shape } as unknown as tf.NamedAttrMap);
  // A bias gradient's sum over the leading axes and a mean over the middle (minibatch stddev-like).
  const reduce = (): tf.Tensor => tf.tidy(() => tf.add(tf.sum(x, [0, 1, 2]), tf.reshape(tf.mean(dy, [1]), [-1]).slice(0, 16)));
  const tallProduct = (): tf.Tensor => tf.matMul(tall, square);
  const wideProduct = (): tf.Tensor => tf.matMul(wide, wideW);
  try {
    const result: NonNullable<AutotuneReport['measured']> = {
      conv2d: { tiled: 0, naive: 0, blocked: 0 },
      matmul: { tiled: 0, naive: 0, blocked: 0 },
      convGradInput: { tiled: 0, blocked: 0 },
      convGradFilter: { tiled: 0, blocked: 0 },
      reduce: { tiled: 0, flat: 0 },
    };
    // Ours first, so that tfjs's programs (slow on CPU adapters) can stop early against their times.
    setKernelTuning({ blockedConv2d: true, blockedConvGradInput: true, blockedConvGradFilter: true, flatReduce: true, blockedMatMul: true });
    result.conv2d.blocked = await medianMs(conv);
    result.convGradInput.blocked = await medianMs(gradInput);
    result.convGradFilter.blocked = await medianMs(gradFilter);
    result.reduce.flat = await medianMs(reduce);
    const tallBlocked = await medianMs(tallProduct);
    const wideBlocked = await medianMs(wideProduct);
    result.matmul.blocked = tallBlocked + wideBlocked;
    setKernelTuning(STOCK_TUNING);
    result.conv2d.tiled = await medianMs(conv, result.conv2d.blocked);
    result.convGradInput.tiled = await medianMs(gradInput, result.convGradInput.blocked);
    result.convGradFilter.tiled = await medianMs(gradFilter, result.convGradFilter.blocked);
    result.reduce.tiled = await medianMs(reduce, result.reduce.flat);
    const tallTiled = await medianMs(tallProduct, tallBlocked);
    const wideTiled = await medianMs(wideProduct, wideBlocked);
    result.matmul.tiled = tallTiled + wideTiled;
    setKernelTuning({ naiveConv2d: true, naiveMatMul: true });
    result.conv2d.naive = await medianMs(conv, Math.min(result.conv2d.blocked, result.conv2d.tiled));
    result.matmul.naive = (await medianMs(tallProduct, Math.min(tallBlocked, tallTiled))) + (await medianMs(wideProduct, Math.min(wideBlocked, wideTiled)));
    return result;
  } finally {
    tf.dispose([x, w, dy, tall, square, wide, wideW]);
  }
}

/** The choice for measured times: an alternative only when clearly (10 %) faster than what it replaces. */
export function chooseTuning(m: NonNullable<AutotuneReport['measured']>): KernelTuning {
  const clearly = (candidate: number, incumbent: number): boolean => candidate < 0.9 * incumbent;
  return {
    naiveConv2d: clearly(m.conv2d.naive, m.conv2d.tiled),
    naiveMatMul: clearly(m.matmul.naive, m.matmul.tiled),
    blockedConv2d: clearly(m.conv2d.blocked, Math.min(m.conv2d.tiled, m.conv2d.naive)),
    blockedConvGradInput: clearly(m.convGradInput.blocked, m.convGradInput.tiled),
    blockedConvGradFilter: clearly(m.convGradFilter.blocked, m.convGradFilter.tiled),
    flatReduce: clearly(m.reduce.flat, m.reduce.tiled),
    blockedMatMul: clearly(m.matmul.blocked, Math.min(m.matmul.tiled, m.matmul.naive)),
  };
}

/** A cached value that is a complete tuning of this version (older entries lack fields). */
function isKernelTuning(v: unknown): v is KernelTuning {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (Object.keys(STOCK_TUNING) as Array<keyof KernelTuning>).every((k) => typeof r[k] === 'boolean');
}

/**
 * Picks and applies the tuning for the current WebGPU backend (call after registerSsgKernels). A cached
 * choice for this adapter is reused unless `fresh`; a failure to measure leaves tfjs's defaults on.
 */
export async function autotune(adapter: AdapterReport, opts: { fresh?: boolean; cache?: boolean } = {}): Promise<AutotuneReport> {
  const t0 = performance.now();
  const key = adapterKey(adapter);
  const useCache = opts.cache ?? true;
  if (useCache && !opts.fresh) {
    const cached = await get<unknown>(key, db()).catch(() => undefined);
    if (isKernelTuning(cached)) {
      setKernelTuning(cached);
      return { tuning: cached, measured: null, cached: true, key, ms: Math.round(performance.now() - t0) };
    }
  }
  let tuning: KernelTuning = STOCK_TUNING;
  let measured: AutotuneReport['measured'] = null;
  try {
    measured = await measure();
    // Ours only when clearly faster: within 10% tfjs's defaults keep the job.
    tuning = chooseTuning(measured);
  } catch {
    tuning = STOCK_TUNING;
  }
  setKernelTuning(tuning);
  if (useCache && measured) await set(key, tuning, db()).catch(() => undefined); // a full disk only costs a re-measure
  return { tuning, measured, cached: false, key, ms: Math.round(performance.now() - t0) };
}
