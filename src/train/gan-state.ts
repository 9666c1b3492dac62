/**
 * The mutable state of one GAN training run: both networks, the generator's EMA copy, the two Adam
 * optimizers, counters and the augmentation controller. Random draws per step are derived from
 * (config.seed, step), so the state needs no stored RNG: a run resumed at step k draws what it would
 * have drawn.
 */
import * as tf from '@tensorflow/tfjs';
import { Discriminator } from '../models/discriminator.ts';
import { Generator } from '../models/generator.ts';
import { initialAdaState, type AdaState } from './ada.ts';
import type { GanTrainingConfig } from './gan-config.ts';
import { FusedAdamOptimizer } from './fused-adam.ts';
import { lazyRegularizedAdam } from './gan-losses.ts';

export interface GanState {
  config: GanTrainingConfig;
  G: Generator;
  D: Discriminator;
  /** Moving average of G's weights: the generator to sample from. */
  gEma: Generator;
  optG: tf.Optimizer;
  optD: tf.Optimizer;
  /** Training iterations done. */
  step: number;
  /** Real images shown to D so far. */
  imagesSeen: number;
  ada: AdaState;
}

export function createGanState(config: GanTrainingConfig): GanState {
  const G = new Generator(config.generator);
  const D = new Discriminator(config.discriminator);
  const g = config.adamG;
  const d = lazyRegularizedAdam(config.adamD.lr, config.adamD.beta1, config.adamD.beta2, config.r1Gamma > 0 ? config.r1Interval : null);
  return {
    config,
    G,
    D,
    gEma: G.clone(),
    // tf.train.adam's drop-in with fused WebGPU steps (same weights list, so checkpoints load either way).
    optG: new FusedAdamOptimizer(g.lr, g.beta1, g.beta2, g.epsilon),
    optD: new FusedAdamOptimizer(d.lr, d.beta1, d.beta2, config.adamD.epsilon),
    step: 0,
    imagesSeen: 0,
    ada: initialAdaState(config.ada),
  };
}

export function disposeGanState(state: GanState): void {
  state.G.dispose();
  state.D.dispose();
  state.gEma.dispose();
  state.optG.dispose();
  state.optD.dispose();
}
