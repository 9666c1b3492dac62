/**
 * Filtered leaky ReLU cases: odd N/H/W/C, every up/down combination the generator uses (1/1 ToRGB, 2/2,
 * 4/2, 2/1, 1/2), filters of 1 to 24 taps, odd and even, deliberately asymmetric taps and padding (a
 * symmetric filter or padding would hide a flip or a swapped side), cropping (negative padding), clamp off,
 * inactive and active, slope 0.2 and 1, and the batch-chunked path.
 */
import * as tf from '@tensorflow/tfjs';
import { designLowpassFilter, filteredLrelu, type FilteredLreluParams } from '../../src/models/ops/filtered-lrelu.ts';
import { filteredLreluOp, FILTERED_LRELU, FILTERED_LRELU_GRAD } from '../../src/gpu/kernels/index.ts';
import { overrideFilteredLreluChunkBytes } from '../../src/gpu/kernels/filtered-lrelu.ts';
import { randomTensor, rng } from './compare.ts';
import type { OpCase } from './harness.ts';

/** Positive, asymmetric taps summing to 1. */
function randomTaps(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const t = Float32Array.from({ length: n }, () => 0.1 + r());
  const s = t.reduce((a, b) => a + b, 0);
  return t.map((v) => v / s);
}

type Pad = [top: number, bottom: number, left: number, right: number];

function params(up: number, down: number, upTaps: Float32Array, downTaps: Float32Array, pad: Pad, extra: Partial<FilteredLreluParams> = {}): FilteredLreluParams {
  return {
    up,
    down,
    upFilter: upTaps,
    downFilter: downTaps,
    padding: { top: pad[0], bottom: pad[1], left: pad[2], right: pad[3] },
    gain: Math.SQRT2,
    slope: 0.2,
    clamp: null,
    ...extra,
  };
}

/**
 * The reference clamps with 0.5 * (|y + c| - |y - c|) (differentiable twice, see activations.ts), which
 * rounds at the scale of c: up to c * 2^-24 absolute per element (measured: 256 gives 7.6e-6 on values of
 * order 1, i.e. 4.8e-4 relative on small ones), then summed through the 2-D down filter. Our kernel clamps
 * exactly, so the value comparison allows the reference that much slack; gradients get none.
 */
function referenceClampSlack(p: FilteredLreluParams): number {
  if (p.clamp === null) return 0;
  const l1 = p.downFilter.reduce((a, b) => a + Math.abs(b), 0);
  return p.clamp * 2 ** -24 * l1 * l1;
}

function flreluCase(name: string, shape: [number, number, number, number], p: FilteredLreluParams, opts: { scale?: number; chunkBytes?: number } = {}): OpCase {
  const c = shape[3];
  const seed = name.length * 7919;
  return {
    name: `filtered lrelu: ${name} [${shape.join('x')}]`,
    inputs: () => [randomTensor(shape, seed, opts.scale ?? 1), randomTensor([c], seed + 1, 0.5)],
    inputNames: ['x', 'bias'],
    kernel: ([x, b]) => filteredLreluOp(x as tf.Tensor4D, b as tf.Tensor1D, p),
    reference: ([x, b]) => filteredLrelu(x as tf.Tensor4D, b as tf.Tensor1D, p),
    kernelNames: [FILTERED_LRELU, FILTERED_LRELU_GRAD],
    referenceValueSlack: referenceClampSlack(p),
    ...(opts.chunkBytes === undefined
      ? {}
      : { setup: () => overrideFilteredLreluChunkBytes(opts.chunkBytes ?? null), teardown: () => overrideFilteredLreluChunkBytes(null) }),
  };
}

const S: [number, number, number, number] = [3, 7, 9, 5];

export function filteredLreluCases(): OpCase[] {
  const r12a = randomTaps(12, 1);
  const r12b = randomTaps(12, 2);
  const lp12 = designLowpassFilter(12, 1, 1.2, 4);
  const lp12d = designLowpassFilter(12, 0.8, 1, 4);
  const A = params(2, 2, r12a, r12b, [10, 9, 8, 7]);
  const single = params(1, 1, new Float32Array([1]), new Float32Array([1]), [0, 0, 0, 0], { gain: 1, slope: 1, clamp: 256 });
  // Temporary of one sample of A: 22 x 22 x 5 floats; a budget of 1.5 samples forces chunks of one.
  const chunkBytes = 22 * 22 * 5 * 4 * 1.5;
  return [
    flreluCase('up2 down2, 12/12 random taps, lrelu 0.2', S, A),
    flreluCase('up2 down2, 12/12 low-pass taps, clamp 256 (inactive)', S, params(2, 2, lp12, lp12d, [11, 10, 11, 10], { clamp: 256 })),
    flreluCase('up4 down2, 24/12 random taps', S, params(4, 2, randomTaps(24, 3), randomTaps(12, 4), [13, 12, 12, 11])),
    flreluCase('up2 down1, 7/9 odd taps, crop top', S, params(2, 1, randomTaps(7, 5), randomTaps(9, 6), [-1, 6, 5, 4])),
    flreluCase('up1 down2, 1/10 taps', S, params(1, 2, new Float32Array([1]), randomTaps(10, 7), [3, 2, 4, 1])),
    flreluCase('up1 down1, 1/1 taps, slope 1 gain 1 (ToRGB, one pass)', S, single),
    flreluCase('up1 down1, 5/3 taps (filters at one rate)', S, params(1, 1, randomTaps(5, 8), randomTaps(3, 9), [2, 3, 1, 2])),
    flreluCase('up2 down2, 8/6 taps, clamp 0.3 active', S, params(2, 2, randomTaps(8, 10), randomTaps(6, 11), [5, 4, 6, 3], { clamp: 0.3 }), { scale: 2 }),
    flreluCase('up2 down2, 6/6 taps, slope 1 gain 1, clamp 0.5 active', S, params(2, 2, randomTaps(6, 12), randomTaps(6, 13), [3, 4, 4, 3], { slope: 1, gain: 1, clamp: 0.5 }), { scale: 2 }),
    flreluCase('up2 down2, 4/5 taps, crop both sides', S, params(2, 2, randomTaps(4, 14), randomTaps(5, 15), [-1, -1, 9, -1])),
    flreluCase('up2 down2 in batch chunks of one sample', S, A, { chunkBytes }),
    flreluCase('single sample', [1, 3, 5, 3], params(2, 2, r12a, r12b, [10, 9, 8, 7])),
    // Channels divisible by 4 take the vec4 variant of every program.
    flreluCase('vec4: up2 down2, 12/12 random taps', [3, 7, 9, 8], A),
    flreluCase('vec4: up4 down2, 24/12 random taps', [3, 5, 7, 4], params(4, 2, randomTaps(24, 3), randomTaps(12, 4), [13, 12, 12, 11])),
    flreluCase('vec4: up2 down1, 7/9 taps, crop, clamp 0.3 active', [3, 7, 9, 12], params(2, 1, randomTaps(7, 5), randomTaps(9, 6), [-1, 6, 5, 4], { clamp: 0.3 }), { scale: 2 }),
    flreluCase('vec4: ToRGB one pass', [3, 7, 9, 4], single),
    flreluCase('vec4: up2 down2 in batch chunks of one sample', [3, 7, 9, 8], A, { chunkBytes: 22 * 22 * 8 * 4 * 1.5 }),
  ];
}
