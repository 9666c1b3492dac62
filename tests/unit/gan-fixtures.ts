/**
 * Tiny GAN configurations for unit tests: the real architecture, a few channels wide, so a full training
 * step runs in seconds on tfjs's stock cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { DiscriminatorConfig } from '../../src/models/discriminator.ts';
import { generatorPreset, type GanResolution, type GeneratorConfig, type ImageChannels } from '../../src/models/generator.ts';
import { ganTrainingPreset, type GanTrainingConfig } from '../../src/train/gan-config.ts';

export function tinyGenerator(resolution: GanResolution = 32, channels: ImageChannels = 1, seed = 7): GeneratorConfig {
  return {
    ...generatorPreset('fast', resolution, channels, seed),
    zDim: 16,
    wDim: 16,
    numLayers: 3,
    numCritical: 1,
    marginSize: 1,
    channelBase: 64,
    channelMax: 8,
  };
}

export function tinyDiscriminator(resolution: GanResolution = 32, channels: ImageChannels = 1, seed = 8): DiscriminatorConfig {
  return { resolution, channels, channelBase: 128, channelMax: 8, mbstdGroupSize: 2, mbstdChannels: 1, convClamp: null, seed };
}

export function tinyTraining(seed = 3, batchSize = 4): GanTrainingConfig {
  const base = ganTrainingPreset('fast', 32, 1, { batchSize, seed });
  return {
    ...base,
    // Narrower still than the other tests' networks: whole training steps are the slow tests.
    generator: { ...tinyGenerator(32, 1, seed + 10), channelMax: 4 },
    discriminator: { ...tinyDiscriminator(32, 1, seed + 20), channelMax: 4 },
    r1Interval: 2,
    r1Gamma: 1,
    // Start with augmentation on so the step exercises it.
    ada: { ...base.ada, initialP: 0.5, interval: 1, kimg: 1 },
  };
}

/** A deterministic "real" batch in [-1, 1]: smooth blobs, so D has something to tell apart. */
export function fakeRealBatch(n: number, size: number, channels: number, seed = 1): tf.Tensor4D {
  return tf.tidy(() => tf.randomUniform([n, size, size, channels], -1, 1, 'float32', seed).tanh() as tf.Tensor4D);
}

/** Max |a - b|. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.abs(tf.sub(a, b)).max().dataSync()[0] ?? NaN);
}
