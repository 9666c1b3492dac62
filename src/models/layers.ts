/**
 * Small building blocks shared by the generator and the discriminator, with StyleGAN's equalised learning
 * rate: weights are stored as N(0, 1) / lrMultiplier and scaled at run time by lrMultiplier / sqrt(fanIn),
 * so Adam sees every weight at the same scale and a layer's effective learning rate is lr * lrMultiplier.
 */
import * as tf from '@tensorflow/tfjs';
import { biasActOp } from '../gpu/kernels/index.ts';
import type { ParamStore } from './param-store.ts';

export interface Dense {
  weight: tf.Variable; // [in, out]
  bias: tf.Variable; // [out]
  weightGain: number;
  biasGain: number;
  activation: 'linear' | 'lrelu';
}

export interface DenseOptions {
  activation?: 'linear' | 'lrelu';
  /** Learning-rate multiplier (0.01 in the mapping network, so w moves slowly). */
  lrMultiplier?: number;
  /** Initial bias: a constant or one value per output. */
  biasInit?: number | Float32Array;
  /** Std of the initial weights before equalisation (0 gives a zero-initialised layer). */
  weightInit?: number;
}

export function createDense(store: ParamStore, key: string, inF: number, outF: number, o: DenseOptions = {}): Dense {
  const lr = o.lrMultiplier ?? 1;
  const weightInit = o.weightInit ?? 1;
  const weight =
    weightInit === 0 ? store.constant(`${key}.weight`, [inF, outF], 0) : store.normal(`${key}.weight`, [inF, outF], weightInit / lr);
  const biasInit = o.biasInit ?? 0;
  const biasValues =
    typeof biasInit === 'number' ? new Float32Array(outF).fill(biasInit / lr) : biasInit.map((b) => b / lr);
  const bias = store.constant(`${key}.bias`, [outF], biasValues);
  return { weight, bias, weightGain: lr / Math.sqrt(inF), biasGain: lr, activation: o.activation ?? 'linear' };
}

/** x: [N, in] -> [N, out]. */
export function dense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const w = layer.weight.mul(layer.weightGain) as tf.Tensor2D;
    const b = layer.biasGain === 1 ? layer.bias : layer.bias.mul(layer.biasGain);
    // StyleGAN's bias_act (leaky ReLU 0.2 with gain sqrt(2)): one fused kernel on WebGPU.
    const lrelu = layer.activation === 'lrelu';
    return biasActOp(tf.matMul(x, w), b as tf.Tensor1D, { slope: lrelu ? 0.2 : 1, gain: lrelu ? Math.SQRT2 : 1, clamp: null });
  });
}

/** Scale each row of z to unit second moment (StyleGAN's normalize_2nd_moment). */
export function normalizeSecondMoment(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => z.mul(z.square().mean(1, true).add(1e-8).rsqrt()) as tf.Tensor2D);
}
