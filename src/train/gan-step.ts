/**
 * One StyleGAN training iteration, in StyleGAN2-ADA's phase order adapted to: D main step, lazy R1 step,
 * G step, EMA update, ADA update. All tensors live inside tf.tidy; the only readback is one small vector
 * of statistics at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, mulberry32 } from '../data/rng.ts';
import { adaUpdate } from './ada.ts';
import { augment } from './augment.ts';
import { emaBeta, updateEma } from './ema.ts';
import { discriminatorLoss, generatorLoss, r1Loss, type Discriminate } from './gan-losses.ts';
import type { GanState } from './gan-state.ts';

export interface GanStepStats {
  /** Index of the step these numbers belong to (0-based). */
  step: number;
  /** softplus(-D(G(z))) of the G step. */
  lossG: number;
  /** softplus(D(G(z))) + softplus(-D(x)) of the D step. */
  lossD: number;
  /** Mean ||grad_x D(x_real)||^2 on R1 steps (before gamma/2), null on the other steps. */
  r1: number | null;
  /** Augmentation probability after this step's ADA update. */
  augmentP: number;
  /** r_t = mean sign(D(real)) of this step's D step. */
  realSign: number;
}

/** Purposes of the per-step random streams (part of the derived seed). */
const STREAM = { latentsD: 1, latentsG: 2, augment: 3 } as const;

/** Apply an optimizer to the gradients of `loss` w.r.t. `vars`; returns the loss value (kept by the tidy). */
function optimize(opt: tf.Optimizer, vars: tf.Variable[], loss: () => tf.Scalar): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, vars);
  opt.applyGradients(grads);
  return value;
}

/**
 * Run one iteration on `realBatch` ([N, R, R, C] in [-1, 1], N = config.batchSize; not disposed here).
 * Mutates `state` (weights, optimizers, counters, ADA) and returns plain numbers.
 */
export async function ganStep(state: GanState, realBatch: tf.Tensor4D): Promise<GanStepStats> {
  const { config, G, D, gEma } = state;
  const step = state.step;
  const batch = realBatch.shape[0];
  const seed = (stream: number): number => deriveSeed(config.seed, step, stream);
  const augmentRand = mulberry32(seed(STREAM.augment));
  const p = state.ada.p;
  // D always sees augmented images, real and fake (fresh augmentation draws at every call).
  const discriminate: Discriminate = (images) => D.forward(augment(images, p, augmentRand, config.augment));
  const dVars = D.trainableVariables();
  const gVars = G.trainableVariables();
  const doR1 = config.r1Gamma > 0 && step % config.r1Interval === 0;

  const stats = tf.tidy(() => {
    // Statistics computed inside the loss closures, which run in their own tidy scope: kept explicitly and
    // disposed below once stacked.
    const kept: { realSign?: tf.Scalar; r1?: tf.Scalar } = {};

    // D main: logistic loss on fakes (generated outside the gradient tape: only D is trained here) and
    // reals. This G pass also updates G's running averages (w_avg, input magnitudes), as in StyleGAN3.
    const zD = tf.randomNormal([batch, config.generator.zDim], 0, 1, 'float32', seed(STREAM.latentsD)) as tf.Tensor2D;
    const fake = G.generate(zD, { updateEmas: true });
    const lossD = optimize(state.optD, dVars, () => {
      const realLogits = discriminate(realBatch);
      kept.realSign = tf.keep(realLogits.sign().mean() as tf.Scalar);
      return discriminatorLoss(realLogits, discriminate(fake));
    });

    // Lazy R1 on reals, as a separate optimizer step every r1Interval iterations.
    if (doR1) {
      optimize(state.optD, dVars, () => {
        const { loss, penalty } = r1Loss(discriminate, realBatch, config.r1Gamma, config.r1Interval);
        kept.r1 = tf.keep(penalty);
        return loss;
      });
    }

    // G: non-saturating loss through the (augmented) discriminator; only G's weights are updated.
    const zG = tf.randomNormal([batch, config.generator.zDim], 0, 1, 'float32', seed(STREAM.latentsG)) as tf.Tensor2D;
    const lossG = optimize(state.optG, gVars, () => generatorLoss(discriminate(G.generate(zG))));

    updateEma(gEma, G, emaBeta(config.ema, batch, state.imagesSeen));

    const { realSign, r1 } = kept;
    if (!realSign) throw new Error('ganStep: D step produced no statistics');
    const out = tf.stack([lossG, lossD, r1 ?? tf.scalar(0), realSign]);
    realSign.dispose();
    r1?.dispose();
    return out;
  });

  const [lossG = NaN, lossD = NaN, r1 = NaN, realSign = NaN] = await stats.data();
  stats.dispose();

  state.ada = adaUpdate(config.ada, state.ada, realSign, batch, step);
  state.step = step + 1;
  state.imagesSeen += batch;
  return { step, lossG, lossD, r1: doR1 ? r1 : null, augmentP: state.ada.p, realSign };
}
