import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/data/rng.ts';
import { Discriminator } from '../../src/models/discriminator.ts';
import { augment } from '../../src/train/augment.ts';
import {
  defaultR1Gamma,
  discriminatorLoss,
  generatorLoss,
  lazyRegularizedAdam,
  r1Loss,
  r1Penalty,
  type Discriminate,
} from '../../src/train/gan-losses.ts';
import { fakeRealBatch, tinyDiscriminator } from './gan-fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('logistic GAN losses', () => {
  it('are softplus(-D(G(z))) for G and softplus(D(fake)) + softplus(-D(real)) for D', () => {
    const real = tf.tensor1d([2, -1]);
    const fake = tf.tensor1d([0.5, -3]);
    const sp = (v: number): number => Math.log1p(Math.exp(v));
    expect(generatorLoss(fake).dataSync()[0]).toBeCloseTo((sp(-0.5) + sp(3)) / 2, 5);
    expect(discriminatorLoss(real, fake).dataSync()[0]).toBeCloseTo((sp(0.5) + sp(-3)) / 2 + (sp(-2) + sp(1)) / 2, 5);
  });

  it('corrects Adam for lazy regularisation and picks the auto gamma', () => {
    const c = lazyRegularizedAdam(0.002, 0, 0.99, 16);
    expect(c.lr).toBeCloseTo((0.002 * 16) / 17, 10);
    expect(c.beta1).toBe(0);
    expect(c.beta2).toBeCloseTo(0.99 ** (16 / 17), 10);
    expect(lazyRegularizedAdam(0.002, 0, 0.99, null)).toEqual({ lr: 0.002, beta1: 0, beta2: 0.99 });
    expect(defaultR1Gamma(32, 16)).toBeCloseTo(0.0128, 10);
  });
});

describe('R1 penalty', () => {
  it('is the squared input-gradient norm per sample', () => {
    const a = tf.randomNormal([1, 4, 4, 1], 0, 1, 'float32', 31);
    const linear: Discriminate = (x) => x.mul(a).sum([1, 2, 3]) as tf.Tensor1D;
    const p = r1Penalty(linear, tf.zeros([3, 4, 4, 1]) as tf.Tensor4D);
    const expected = a.square().sum().dataSync()[0] ?? NaN;
    Array.from(p.dataSync()).forEach((v) => expect(v).toBeCloseTo(expected, 4));
  });

  it('has a finite, non-zero second-order gradient w.r.t. every D weight, matching finite differences', () => {
    const d = new Discriminator(tinyDiscriminator());
    const real = fakeRealBatch(4, 32, 1, 2);
    const gamma = 10;
    const loss = (): tf.Scalar => r1Loss((x) => d.forward(x), real, gamma, 1).loss;
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(loss, d.trainableVariables());
    const withoutGradient: string[] = [];
    const zeroGradient: string[] = [];
    for (const [key, v] of Object.entries(d.params.trainable)) {
      const g = grads[v.name];
      if (!g) {
        withoutGradient.push(key);
        continue;
      }
      const norm = tf.tidy(() => g.abs().sum().dataSync()[0] ?? NaN);
      expect(Number.isFinite(norm), key).toBe(true);
      if (norm === 0) zeroGradient.push(key);
    }
    // The output bias cannot change grad_x D at all (not even connected). After the (nonlinear)
    // minibatch-stddev layer the network is piecewise linear, so grad_x D is piecewise constant in the
    // biases there: their second-order gradient is exactly zero. Every other weight must contribute.
    expect(withoutGradient).toEqual(['b4.out.bias']);
    expect(zeroGradient.sort()).toEqual(['b4.conv.bias', 'b4.fc.bias']);

    // Central finite differences on single weights of a plain and of a downsampling (FIR-folded) conv.
    // R1 is only piecewise smooth in the weights (a leaky ReLU flipping side makes grad_x D jump), so the
    // step must be small enough not to flip any unit: 1e-3 on N(0,1)-stored weights is, here.
    for (const key of ['b32.conv0.weight', 'b16.conv1.weight']) {
      const w = d.params.trainable[key];
      if (!w) throw new Error(`missing ${key}`);
      const index = 5;
      const analytic = tf.tidy(() => grads[w.name]!.reshape([-1]).slice([index], [1]).dataSync()[0] ?? NaN);
      const original = w.clone();
      const evalAt = (delta: number): number =>
        tf.tidy(() => {
          const flat = original.reshape([-1]);
          w.assign(flat.add(tf.oneHot(index, flat.size).mul(delta)).reshape(w.shape));
          return loss().dataSync()[0] ?? NaN;
        });
      const eps = 1e-3;
      const numeric = (evalAt(eps) - evalAt(-eps)) / (2 * eps);
      w.assign(original);
      original.dispose();
      expect(Math.abs(analytic), key).toBeGreaterThan(1e-7);
      expect(Math.abs(numeric - analytic) / Math.abs(analytic), key).toBeLessThan(0.03);
    }

    tf.dispose([value, grads]);
    expect(tf.memory().numTensors).toBe(before);
    real.dispose();
    d.dispose();
  });

  it('differentiates through the augmentation pipe too', () => {
    const d = new Discriminator(tinyDiscriminator());
    const real = fakeRealBatch(4, 32, 1, 3);
    const rand = mulberry32(9);
    const { value, grads } = tf.variableGrads(
      () => r1Loss((x) => d.forward(augment(x, 1, rand)), real, 1, 16).loss,
      d.trainableVariables(),
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    const total = tf.tidy(() => tf.addN(Object.values(grads).map((g) => g.abs().sum())).dataSync()[0] ?? NaN);
    expect(Number.isFinite(total) && total > 0).toBe(true);
    tf.dispose([value, grads, real]);
    d.dispose();
  });
});
