/**
 * Everything that defines one class generator's training run, with StyleGAN3-T's defaults.
 */
import { discriminatorPreset, type DiscriminatorConfig } from '../models/discriminator.ts';
import {
  generatorPreset,
  type GanPresetName,
  type GanResolution,
  type GeneratorConfig,
  type ImageChannels,
} from '../models/generator-config.ts';
import { DEFAULT_ADA, type AdaConfig } from './ada.ts';
import { DEFAULT_AUGMENT, type AugmentConfig } from './augment.ts';
import { defaultEmaConfig, type EmaConfig } from './ema.ts';
import { defaultR1Gamma } from './gan-losses.ts';

export interface AdamConfig {
  lr: number;
  /** StyleGAN uses beta1 = 0: no momentum, which keeps the two-player game from oscillating. */
  beta1: number;
  beta2: number;
  /** Always explicit: tfjs otherwise takes the backend's epsilon (1e-4 on 16-bit WebGL), see ENVIRONMENT.md. */
  epsilon: number;
}

export interface GanTrainingConfig {
  generator: GeneratorConfig;
  discriminator: DiscriminatorConfig;
  /** Images per step (StyleGAN3 recommends 32; 16 fits a browser). Multiple of the mbstd group size. */
  batchSize: number;
  /** Generator optimizer (StyleGAN3-T: lr 0.0025, betas (0, 0.99)). */
  adamG: AdamConfig;
  /** Discriminator optimizer before the lazy-regularisation correction (lr 0.002, betas (0, 0.99)). */
  adamD: AdamConfig;
  /** R1 weight gamma (StyleGAN2-ADA auto: 0.0002 * res^2 / batch). 0 disables R1. */
  r1Gamma: number;
  /** Apply R1 every this many D steps, scaled by the interval (16). */
  r1Interval: number;
  ema: EmaConfig;
  ada: AdaConfig;
  augment: AugmentConfig;
  /** Seed of the latents and augmentation draws (the models carry their own init seeds). */
  seed: number;
}

export function ganTrainingPreset(
  preset: GanPresetName,
  resolution: GanResolution,
  channels: ImageChannels,
  opts: { batchSize?: number; seed?: number } = {},
): GanTrainingConfig {
  const batchSize = opts.batchSize ?? 16;
  const seed = opts.seed ?? 0;
  return {
    generator: generatorPreset(preset, resolution, channels, seed * 2 + 1),
    discriminator: discriminatorPreset(preset, resolution, channels, seed * 2 + 2),
    batchSize,
    adamG: { lr: 0.0025, beta1: 0, beta2: 0.99, epsilon: 1e-8 },
    adamD: { lr: 0.002, beta1: 0, beta2: 0.99, epsilon: 1e-8 },
    r1Gamma: defaultR1Gamma(resolution, batchSize),
    r1Interval: 16,
    ema: defaultEmaConfig(batchSize),
    ada: { ...DEFAULT_ADA },
    augment: { ...DEFAULT_AUGMENT },
    seed,
  };
}
