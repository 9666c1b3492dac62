/**
 * Per-channel sum cases: one and several passes (rows up to 16384), ranks 1 to 4, 1 to 33 channels, a
 * single row (the copy pass). Values to 1e-4 relative against tf.sum; the gradient is a broadcast.
 */
import * as tf from '@tensorflow/tfjs';
import { channelSumOp, CHANNEL_SUM } from '../../src/gpu/kernels/index.ts';
import { channelSumReference } from '../../src/gpu/kernels/channel-sum.ts';
import { randomTensor } from './compare.ts';
import type { OpCase } from './harness.ts';

function channelSumCase(shape: number[], seed: number): OpCase {
  return {
    name: `channel sum: [${shape.join(', ')}]`,
    inputs: () => [randomTensor(shape, seed)],
    inputNames: ['x'],
    kernel: ([x]) => channelSumOp(x as tf.Tensor),
    reference: ([x]) => channelSumReference(x as tf.Tensor),
    kernelNames: [CHANNEL_SUM],
  };
}

export function channelSumCases(): OpCase[] {
  return [
    channelSumCase([16384, 4], 41),
    channelSumCase([3, 7, 9, 5], 42),
    channelSumCase([2, 33, 17, 33], 43),
    channelSumCase([1, 1, 1, 7], 44),
    channelSumCase([1], 45),
    channelSumCase([65, 3], 46),
  ];
}
