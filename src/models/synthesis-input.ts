/**
 * StyleGAN3's synthesis input: a map of Fourier features sin(2 pi (x . f + phi)) with fixed random
 * frequencies f inside the first layer's cut-off, rotated and translated per sample by an affine of w,
 * then mixed by a trainable linear map. It replaces StyleGAN2's learned constant so the image is a
 * continuous signal that can be shifted and rotated without aliasing.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32 } from '../data/rng.ts';
import { createDense, dense, type Dense } from './layers.ts';
import type { ParamStore } from './param-store.ts';
import type { SynthesisInputSpec } from './synthesis-layout.ts';

export interface SynthesisInput {
  spec: SynthesisInputSpec;
  /** w -> (cos, sin, tx, ty) before normalisation; zero weights and bias (1,0,0,0): identity at init. */
  affine: Dense;
  /** Trainable channel mixing [C, C], applied as x @ weight / sqrt(C). */
  weight: tf.Variable;
  /** Fixed frequencies [C, 2] (x, y) and phases [C], saved with the model. */
  freqs: tf.Variable;
  phases: tf.Variable;
}

export function createSynthesisInput(store: ParamStore, key: string, wDim: number, spec: SynthesisInputSpec): SynthesisInput {
  const c = spec.channels;
  // Frequencies from a 2-D Gaussian, pushed inside the unit disc (radius r -> exp(-r^2/4)), times the
  // bandwidth; phases uniform in [-0.5, 0.5). Same recipe as StyleGAN3, drawn on the CPU with a seed.
  const rand = mulberry32(store.seedFor(`${key}.freqs`));
  const freqs = new Float32Array(c * 2);
  const phases = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const fx = gaussian(rand);
    const fy = gaussian(rand);
    const r = Math.hypot(fx, fy);
    const scale = spec.bandwidth / (r * Math.exp(r * r) ** 0.25);
    freqs[2 * i] = fx * scale;
    freqs[2 * i + 1] = fy * scale;
    phases[i] = rand() - 0.5;
  }
  return {
    spec,
    affine: createDense(store, `${key}.affine`, wDim, 4, { weightInit: 0, biasInit: new Float32Array([1, 0, 0, 0]) }),
    weight: store.normal(`${key}.weight`, [c, c]),
    freqs: store.buffer(`${key}.freqs`, [c, 2], freqs),
    phases: store.buffer(`${key}.phases`, [c], phases),
  };
}

/** Sample positions of a size x size grid, in units where `samplingRate` samples span 1 (pixel centres). */
function gridCoordinates(size: number, samplingRate: number): Float32Array {
  const g = new Float32Array(size);
  for (let i = 0; i < size; i++) g[i] = (i + 0.5 - size / 2) / samplingRate;
  return g;
}

/** w: [N, wDim] -> features [N, size, size, C]. */
export function synthesisInput(inp: SynthesisInput, w: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const { size, samplingRate, channels } = inp.spec;
    const n = w.shape[0];
    // Per-sample rotation (cos, sin) normalised to unit length, and translation (tx, ty).
    const t = dense(inp.affine, w); // [N, 4]
    const [tc, ts, tx, ty] = tf.split(t, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const inv = tc.square().add(ts.square()).rsqrt();
    const cos = tc.mul(inv);
    const sin = ts.mul(inv);
    const shiftX = tx.mul(inv);
    const shiftY = ty.mul(inv);

    // Transform the frequencies: f' = f R, phase' = phase + f . (R (-t)), with R = [[c, -s], [s, c]]
    // (StyleGAN3: transforms = m_r @ m_t; freqs @ transforms[:2,:2]; phases + freqs @ transforms[:2,2]).
    const [fx, fy] = tf.split(inp.freqs.transpose(), 2, 0) as [tf.Tensor2D, tf.Tensor2D]; // [1, C] each
    const fxT = fx.mul(cos).add(fy.mul(sin)); // [N, C]
    const fyT = fy.mul(cos).sub(fx.mul(sin));
    const phaseShift = fx.mul(sin.mul(shiftY).sub(cos.mul(shiftX))).sub(fy.mul(sin.mul(shiftX).add(cos.mul(shiftY))));
    const phase = phaseShift.add(inp.phases); // [N, C]
    // (StyleGAN3 also damps frequencies pushed past the band by a user transform; rotation keeps |f|, so
    // with no user transform those amplitudes are all 1 and are omitted.)

    const g = gridCoordinates(size, samplingRate);
    const gx = tf.tensor4d(g, [1, 1, size, 1]); // along width
    const gy = tf.tensor4d(g, [1, size, 1, 1]); // along height
    const arg = gx
      .mul(fxT.reshape([n, 1, 1, channels]))
      .add(gy.mul(fyT.reshape([n, 1, 1, channels])))
      .add(phase.reshape([n, 1, 1, channels]));
    const features = arg.mul(2 * Math.PI).sin();

    const mix = inp.weight.mul(1 / Math.sqrt(channels)) as tf.Tensor2D;
    return tf.matMul(features.reshape([n * size * size, channels]), mix).reshape([n, size, size, channels]) as tf.Tensor4D;
  });
}
