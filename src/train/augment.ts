/**
 * ADA-style differentiable augmentation (Karras et al. 2020), applied to every image the discriminator
 * sees, real and generated, each transform to each sample with probability p. Because the generator's
 * images are augmented too and the transforms are differentiable, G still gets gradients, and as long as
 * p stays below ~0.8 the augmentations do not "leak" into the generated distribution.
 *
 * Implemented subset of ADA's 'bgc' pipeline: x-flip, 90-degree rotations, integer translation,
 * isotropic scaling (bilinear, reflect padding, no anti-aliasing filter), brightness and contrast.
 * Arbitrary-angle rotation, anisotropic scaling, fractional translation and the hue/saturation/luma
 * transforms are not included (each would need 2-D resampling or colour matrices).
 *
 * Random parameters are drawn on the CPU from the given seeded generator (always the same number of draws
 * per sample, whatever p is, so runs are reproducible), then applied with gathers and broadcasts; those ops
 * are differentiable twice, which the R1 penalty needs (it differentiates through the augmentation).
 */
import * as tf from '@tensorflow/tfjs';
import { gaussian } from '../data/rng.ts';

/** Per-transform probability multipliers (ADA's 'bgc' uses 1 for each) and strengths. */
export interface AugmentConfig {
  xflip: number;
  rotate90: number;
  xint: number;
  /** Largest integer translation as a fraction of the side (ADA: 0.125). */
  xintMax: number;
  scale: number;
  /** Std of log2(scale) (ADA: 0.2). */
  scaleStd: number;
  brightness: number;
  /** Std of the additive brightness offset, images in [-1, 1] (ADA: 0.2). */
  brightnessStd: number;
  contrast: number;
  /** Std of log2(contrast factor) (ADA: 0.5). */
  contrastStd: number;
}

export const DEFAULT_AUGMENT: AugmentConfig = {
  xflip: 1,
  rotate90: 1,
  xint: 1,
  xintMax: 0.125,
  scale: 1,
  scaleStd: 0.2,
  brightness: 1,
  brightnessStd: 0.2,
  contrast: 1,
  contrastStd: 0.5,
};

/** Parameters of one sample's augmentation (identity when nothing was drawn). */
export interface SampleAugment {
  transpose: boolean;
  flipRows: boolean;
  flipCols: boolean;
  /** Translation in pixels (rows, cols). */
  shiftRows: number;
  shiftCols: number;
  scale: number;
  brightness: number;
  contrast: number;
}

/**
 * Draw per-sample parameters. Every sample consumes the same random draws whatever p is, so the stream
 * (and hence a seeded run) does not depend on the current augmentation strength.
 */
export function drawAugmentParams(n: number, size: number, p: number, cfg: AugmentConfig, rand: () => number): SampleAugment[] {
  const out: SampleAugment[] = [];
  for (let i = 0; i < n; i++) {
    const flipOn = rand() < p * cfg.xflip;
    const flip = rand() < 0.5 && flipOn; // ADA: a random 0/1 flip, applied with probability p
    const rotateOn = rand() < p * cfg.rotate90;
    const turns = Math.floor(rand() * 4);
    const quarterTurns = rotateOn ? turns : 0;
    const translate = rand() < p * cfg.xint;
    const tRows = Math.round((rand() * 2 - 1) * cfg.xintMax * size);
    const tCols = Math.round((rand() * 2 - 1) * cfg.xintMax * size);
    const scaleOn = rand() < p * cfg.scale;
    const brightnessOn = rand() < p * cfg.brightness;
    const contrastOn = rand() < p * cfg.contrast;
    const gScale = gaussian(rand);
    const gBright = gaussian(rand);
    const gContrast = gaussian(rand);
    // Rotation by k quarter turns = optional transpose, then flips: k=1 flip rows, k=2 both, k=3 flip cols.
    out.push({
      transpose: quarterTurns % 2 === 1,
      flipRows: quarterTurns === 1 || quarterTurns === 2,
      flipCols: (quarterTurns === 2 || quarterTurns === 3) !== flip,
      shiftRows: translate ? tRows : 0,
      shiftCols: translate ? tCols : 0,
      scale: scaleOn ? 2 ** (gScale * cfg.scaleStd) : 1,
      brightness: brightnessOn ? gBright * cfg.brightnessStd : 0,
      contrast: contrastOn ? 2 ** (gContrast * cfg.contrastStd) : 1,
    });
  }
  return out;
}

/** Reflect an integer index into [0, size) (mirror without repeating the edge, like ADA's reflect pad). */
function reflect(i: number, size: number): number {
  if (size === 1) return 0;
  const period = 2 * (size - 1);
  const m = ((i % period) + period) % period;
  return m < size ? m : period - m;
}

/**
 * Source coordinates along one axis for every sample: out[i] = in[u(i)], with u(i) the inverse of
 * "scale about the centre, then shift, then flip" and bilinear weights for fractional u.
 */
function axisResampling(params: SampleAugment[], size: number, axis: 'rows' | 'cols') {
  const n = params.length;
  const lo = new Int32Array(n * size);
  const hi = new Int32Array(n * size);
  const frac = new Float32Array(n * size);
  let identity = true;
  let integral = true;
  const centre = (size - 1) / 2;
  params.forEach((p, s) => {
    const flip = axis === 'rows' ? p.flipRows : p.flipCols;
    const shift = axis === 'rows' ? p.shiftRows : p.shiftCols;
    for (let i = 0; i < size; i++) {
      const j = flip ? size - 1 - i : i; // flip is applied last, so undo it first
      const u = (j - shift - centre) / p.scale + centre;
      const u0 = Math.floor(u);
      const a = u - u0;
      lo[s * size + i] = reflect(u0, size);
      hi[s * size + i] = reflect(u0 + 1, size);
      frac[s * size + i] = a;
      if (a > 1e-6) integral = false;
      if (a > 1e-6 || u0 !== i) identity = false;
    }
  });
  return { lo, hi, frac, identity, integral };
}

/** Per-sample gather along rows (axis 1) or cols (axis 2), bilinear when needed. */
function resampleAxis(x: tf.Tensor4D, params: SampleAugment[], axis: 'rows' | 'cols'): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const size = axis === 'rows' ? h : w;
  const r = axisResampling(params, size, axis);
  if (r.identity) return x;
  const tfAxis = axis === 'rows' ? 1 : 2;
  const gathered = (idx: Int32Array): tf.Tensor4D => tf.gather(x, tf.tensor2d(idx, [n, size], 'int32'), tfAxis, 1);
  const a0 = gathered(r.lo);
  if (r.integral) return a0;
  const a1 = gathered(r.hi);
  const weightShape: [number, number, number, number] = axis === 'rows' ? [n, size, 1, 1] : [n, 1, size, 1];
  const t = tf.tensor4d(r.frac, weightShape);
  return a0.add(a1.sub(a0).mul(t));
}

/** Blend of x and its spatial transpose per sample (the odd quarter turns). Needs square images. */
function transposeSome(x: tf.Tensor4D, params: SampleAugment[]): tf.Tensor4D {
  if (!params.some((p) => p.transpose)) return x;
  const mask = tf.tensor4d(params.map((p) => (p.transpose ? 1 : 0)), [params.length, 1, 1, 1]);
  const t = x.transpose([0, 2, 1, 3]);
  return x.add(t.sub(x).mul(mask));
}

/** Apply drawn parameters: images [N, S, S, C] -> same shape. */
export function applyAugment(x: tf.Tensor4D, params: SampleAugment[]): tf.Tensor4D {
  return tf.tidy(() => {
    const n = x.shape[0];
    let y = transposeSome(x, params);
    y = resampleAxis(y, params, 'rows');
    y = resampleAxis(y, params, 'cols');
    if (params.some((p) => p.brightness !== 0)) {
      y = y.add(tf.tensor4d(params.map((p) => p.brightness), [n, 1, 1, 1]));
    }
    if (params.some((p) => p.contrast !== 1)) {
      y = y.mul(tf.tensor4d(params.map((p) => p.contrast), [n, 1, 1, 1]));
    }
    return y;
  });
}

/** Draw and apply: the augmentation pipe with probability p. p = 0 returns x itself. */
export function augment(x: tf.Tensor4D, p: number, rand: () => number, cfg: AugmentConfig = DEFAULT_AUGMENT): tf.Tensor4D {
  const [n, h, w] = x.shape;
  if (h !== w) throw new Error('augment: square images expected');
  const params = drawAugmentParams(n, h, p, cfg, rand);
  return applyAugment(x, params);
}
