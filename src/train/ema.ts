/**
 * Exponential moving average of the generator's weights (the "G_ema" that is sampled from), as in
 * StyleGAN2-ADA / StyleGAN3: the decay is expressed as a half-life in thousands of images, and ramped up
 * at the start of training (the half-life may not exceed `rampup` x images seen so far) so early weights,
 * which are poor, are forgotten quickly.
 */
import * as tf from '@tensorflow/tfjs';
import { emaLerpOp } from '../gpu/kernels/index.ts';
import type { Generator } from '../models/generator.ts';

export interface EmaConfig {
  /** Half-life of the average in kimg (StyleGAN3: batch * 10 / 32, e.g. 5 kimg at batch 16). */
  halfLifeKimg: number;
  /** Ramp-up: half-life <= rampup * images seen (0.05); null = no ramp-up. */
  rampup: number | null;
}

export function defaultEmaConfig(batchSize: number): EmaConfig {
  return { halfLifeKimg: (batchSize * 10) / 32, rampup: 0.05 };
}

/** Weight of the old average after one step of `batchSize` images, with `imagesSeen` before the step. */
export function emaBeta(cfg: EmaConfig, batchSize: number, imagesSeen: number): number {
  let halfLifeImages = cfg.halfLifeKimg * 1000;
  if (cfg.rampup !== null) halfLifeImages = Math.min(halfLifeImages, imagesSeen * cfg.rampup);
  return 0.5 ** (batchSize / Math.max(halfLifeImages, 1e-8));
}

/**
 * ema <- source + beta (ema - source) for trainable weights (one fused launch per weight on WebGPU, the same
 * tfjs ops elsewhere); buffers (w_avg, magnitudes) are copied.
 */
export function updateEma(ema: Generator, source: Generator, beta: number): void {
  tf.tidy(() => {
    const src = source.params.all();
    for (const [key, v] of Object.entries(ema.params.trainable)) {
      const s = src[key];
      if (!s) throw new Error(`updateEma: source lacks ${key}`);
      v.assign(emaLerpOp(v, s, beta));
    }
    for (const [key, v] of Object.entries(ema.params.buffers)) {
      const s = src[key];
      if (!s) throw new Error(`updateEma: source lacks ${key}`);
      v.assign(s);
    }
  });
}
