/**
 * Training-time augmentation for the classifier: random flips, a small affine (translation, isotropic scale,
 * rotation) resampled bilinearly with one tf.image.transform call, and intensity jitter (brightness offset,
 * contrast factor). Applied to inputs only, outside any gradient tape.
 *
 * Why a separate pipe from the GAN's ADA (augment.ts): ADA must be differentiable twice and keep its draw
 * count fixed for any p; a classifier needs neither, and wants sub-pixel shifts and small rotations, which a
 * single projective resampling gives cheaply on every backend.
 *
 * All parameters are drawn on the CPU from the caller's seeded generator, a fixed number of draws per sample,
 * so a seed fixes the augmentation of every sample of every epoch.
 */
import * as tf from '@tensorflow/tfjs';

export interface ClassifierAugmentConfig {
  /** Probability of a left-right flip (0.5: anatomy is rarely left-right specific in these sets). */
  hflip: number;
  /** Probability of an up-down flip (0 by default: ultrasound and X-ray images have a meaningful "up"). */
  vflip: number;
  /** Largest shift along each axis as a fraction of the side (uniform in +-this). */
  translate: number;
  /** Largest scale change: the factor is 2^u, u uniform in +-log2(1 + scale). */
  scale: number;
  /** Largest rotation in degrees (uniform in +-this). */
  rotateDeg: number;
  /** Largest additive brightness offset, in the [-1, 1] pixel units (uniform in +-this). */
  brightness: number;
  /** Largest contrast change: pixels multiplied by a factor uniform in [1 - contrast, 1 + contrast]. */
  contrast: number;
  /** How pixels from outside the image are filled after a shift: mirror the image, or repeat its edge. */
  fillMode: 'reflect' | 'nearest';
}

/** Mild defaults in the spirit of the MedMNIST baselines: small shifts and scales, no vertical flips. */
export const DEFAULT_CLASSIFIER_AUGMENT: ClassifierAugmentConfig = {
  hflip: 0.5,
  vflip: 0,
  translate: 0.1,
  scale: 0.1,
  rotateDeg: 10,
  brightness: 0.1,
  contrast: 0.1,
  fillMode: 'reflect',
};

/** One sample's drawn parameters. */
export interface ClassifierAugmentParams {
  flipX: boolean;
  flipY: boolean;
  /** Shift in pixels along x (columns) and y (rows). */
  tx: number;
  ty: number;
  scale: number;
  /** Radians, counter-clockwise in image coordinates. */
  angle: number;
  brightness: number;
  contrast: number;
}

/** Draw parameters for n samples of side `size`; always 8 draws per sample. */
export function drawClassifierAugment(n: number, size: number, cfg: ClassifierAugmentConfig, rand: () => number): ClassifierAugmentParams[] {
  const sym = (): number => rand() * 2 - 1;
  const out: ClassifierAugmentParams[] = [];
  for (let i = 0; i < n; i++) {
    const flipX = rand() < cfg.hflip;
    const flipY = rand() < cfg.vflip;
    const tx = sym() * cfg.translate * size;
    const ty = sym() * cfg.translate * size;
    const scale = 2 ** (sym() * Math.log2(1 + cfg.scale));
    const angle = (sym() * cfg.rotateDeg * Math.PI) / 180;
    const brightness = sym() * cfg.brightness;
    const contrast = 1 + sym() * cfg.contrast;
    out.push({ flipX, flipY, tx, ty, scale, angle, brightness, contrast });
  }
  return out;
}

/**
 * The 8 projective coefficients tf.image.transform wants for one sample: they map an OUTPUT pixel (x, y) to
 * the input point it samples. Forward map: out = c + t + s R(angle) F (in - c), with c the image centre and F
 * the flips; inverted here: in = c + F R(-angle) / s (out - c - t).
 */
export function inverseAffine(p: ClassifierAugmentParams, size: number): number[] {
  const c = (size - 1) / 2;
  const cos = Math.cos(p.angle) / p.scale;
  const sin = Math.sin(p.angle) / p.scale;
  const fx = p.flipX ? -1 : 1;
  const fy = p.flipY ? -1 : 1;
  // A = F R(-angle) / s = [[fx cos, fx sin], [-fy sin, fy cos]].
  const a00 = fx * cos;
  const a01 = fx * sin;
  const a10 = -fy * sin;
  const a11 = fy * cos;
  const ox = c + p.tx;
  const oy = c + p.ty;
  return [a00, a01, c - a00 * ox - a01 * oy, a10, a11, c - a10 * ox - a11 * oy, 0, 0];
}

/** Apply drawn parameters to images [N, S, S, C] in [-1, 1] (returns a new tensor). */
export function applyClassifierAugment(x: tf.Tensor4D, params: ClassifierAugmentParams[], cfg: ClassifierAugmentConfig): tf.Tensor4D {
  const [n, h, w] = x.shape;
  if (h !== w) throw new Error('applyClassifierAugment: square images expected');
  if (params.length !== n) throw new Error(`applyClassifierAugment: ${params.length} parameter sets for ${n} images`);
  return tf.tidy(() => {
    const transforms = tf.tensor2d(params.flatMap((p) => inverseAffine(p, h)), [n, 8]);
    let y: tf.Tensor4D;
    if (tf.getBackend() === 'cpu' && n > 1) {
      // tfjs 4.22's CPU Transform kernel returns after the first image of a batch (the rest stay at the fill
      // value), so on that backend each image goes through it alone.
      const one = (i: number): tf.Tensor4D =>
        tf.image.transform(tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]), tf.slice(transforms, [i, 0], [1, 8]), 'bilinear', cfg.fillMode);
      y = tf.concat(Array.from({ length: n }, (_, i) => one(i)), 0);
    } else {
      y = tf.image.transform(x, transforms, 'bilinear', cfg.fillMode);
    }
    if (cfg.contrast > 0 || cfg.brightness > 0) {
      const contrast = tf.tensor4d(params.map((p) => p.contrast), [n, 1, 1, 1]);
      const brightness = tf.tensor4d(params.map((p) => p.brightness), [n, 1, 1, 1]);
      y = tf.add(tf.mul(y, contrast), brightness);
    }
    return y;
  });
}

/** Draw and apply in one call. */
export function augmentClassifierBatch(x: tf.Tensor4D, cfg: ClassifierAugmentConfig, rand: () => number): tf.Tensor4D {
  return applyClassifierAugment(x, drawClassifierAugment(x.shape[0], x.shape[1], cfg, rand), cfg);
}
