/**
 * StyleGAN2/3 losses: non-saturating logistic GAN loss and the R1 gradient penalty on real images.
 *
 * R1 = gamma/2 * E ||grad_x D(x_real)||^2. The inner gradient is taken with tf.grad *inside* the loss, so
 * that tf.variableGrads over the discriminator's weights differentiates through that gradient (a
 * second-order gradient). Every op of D (and of the augmentation in front of it) must therefore be
 * differentiable twice; see models/ops/activations.ts and models/ops/fir-conv.ts.
 */
import * as tf from '@tensorflow/tfjs';

/** Maps images [N, H, W, C] to logits [N] (the discriminator, usually behind the augmentation). */
export type Discriminate = (images: tf.Tensor4D) => tf.Tensor1D;

/** Generator: softplus(-D(G(z))), the non-saturating form of log(1 - sigmoid(D)). */
export function generatorLoss(fakeLogits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.softplus(fakeLogits.neg()).mean());
}

/** Discriminator: softplus(D(fake)) + softplus(-D(real)), each averaged over its batch. */
export function discriminatorLoss(realLogits: tf.Tensor1D, fakeLogits: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.softplus(fakeLogits).mean().add(tf.softplus(realLogits.neg()).mean()));
}

/** Per-sample squared gradient norm ||grad_x D(x)||^2: [N]. Differentiable w.r.t. D's weights. */
export function r1Penalty(discriminate: Discriminate, real: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const gradX = tf.grad((x: tf.Tensor) => discriminate(x as tf.Tensor4D).sum())(real);
    return gradX.square().sum([1, 2, 3]) as tf.Tensor1D;
  });
}

/**
 * The regulariser's loss on a lazy step: mean(penalty) * gamma/2 * interval. Applied only every
 * `interval` discriminator steps, it is scaled up by the interval so the average strength is unchanged
 * (StyleGAN2 "lazy regularisation"). Returns the loss and the unscaled mean penalty (for logging).
 */
export function r1Loss(
  discriminate: Discriminate,
  real: tf.Tensor4D,
  gamma: number,
  interval: number,
): { loss: tf.Scalar; penalty: tf.Scalar } {
  return tf.tidy(() => {
    const penalty = r1Penalty(discriminate, real).mean() as tf.Scalar;
    return { loss: penalty.mul(gamma / 2 * interval), penalty };
  });
}

/**
 * Adam settings for a network regularised lazily every `interval` steps: it then takes interval+1
 * optimizer steps per `interval` iterations, so StyleGAN2 shrinks the learning rate and the betas by
 * interval/(interval+1) to keep the effective averaging horizons. interval null = no correction.
 */
export function lazyRegularizedAdam(
  lr: number,
  beta1: number,
  beta2: number,
  interval: number | null,
): { lr: number; beta1: number; beta2: number } {
  if (interval === null || interval <= 0) return { lr, beta1, beta2 };
  const ratio = interval / (interval + 1);
  return { lr: lr * ratio, beta1: beta1 ** ratio, beta2: beta2 ** ratio };
}

/** The default R1 weight StyleGAN2-ADA's "auto" config picks: 0.0002 * resolution^2 / batch. */
export function defaultR1Gamma(resolution: number, batchSize: number): number {
  return (0.0002 * resolution * resolution) / batchSize;
}
