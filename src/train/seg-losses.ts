/**
 * The segmenter's losses, on 2-class logits [B, H, W, 2] (background, foreground) and 0/1 masks [B, H, W]:
 *
 * - t-vMF Dice loss (Kato & Hotta), exactly as RECIPE §4 and their loss.py: softmax over the class axis;
 *   for each class c, the softmax map p_c and the one-hot target g_c are each L2-normalised over the WHOLE
 *   batch (all pixels of all images, torch's F.normalize with eps 1e-12), cos_c = sum(p_c * g_c),
 *   phi_c = (1 + cos_c) / (1 + kappa_c (1 - cos_c)) - 1, L_c = (1 - phi_c)^2, loss = mean over the 2 classes.
 *   kappa_c = 0 makes phi the cosine (a Dice-like loss); larger kappa sharpens it. A class absent from the
 *   batch has g_c = 0 after normalisation, so cos_c = 0 and L_c = (2 - 1/(1 + kappa_c))^2 - a constant with
 *   no gradient, as in the authors' code.
 * - BCE + Dice (VM-UNet's BceDiceLoss, weights 1 and 1): binary cross-entropy of the foreground probability
 *   p = softmax(logits)[..., 1] = sigmoid(l1 - l0) (computed from the logit difference, so it never takes
 *   log 0), mean over pixels; plus the soft Dice loss of the FOREGROUND, per image,
 *   1 - (2 sum(p m) + s) / (sum p + sum m + s) with smooth s = 1 (VM-UNet's), averaged over images. The
 *   smooth term makes an image with an empty mask and an empty prediction score loss 0, not 0 / 0.
 *
 * Per-image weights w_b >= 0 (confidence-weighted pseudo-labels; real images get 1), for every loss:
 * - t-vMF: both sums of the batch-pooled normalisation and the inner product weight each pixel by its
 *   image's weight: ||p_c||_w = sqrt(sum_b w_b sum_px p^2), likewise ||g_c||_w, cos_c = sum_b w_b sum_px
 *   p g / (||p_c||_w ||g_c||_w). This is the plain loss on pixel values scaled by sqrt(w_b): all weights 1
 *   gives the unweighted loss exactly, weight 0 removes an image, and only relative weights matter.
 * - BCE + Dice: each image's (BCE_b + Dice_b) enters a weighted mean sum_b w_b L_b / sum_b w_b (all
 *   weights 1: the unweighted mean). All-zero weights give loss 0.
 */
import * as tf from '@tensorflow/tfjs';
import type { SegLossName } from './adaptive-kappa.ts';

export interface BceDiceOptions {
  /** Weight of the BCE term (VM-UNet: 1). */
  bceWeight: number;
  /** Weight of the soft Dice term (VM-UNet: 1). */
  diceWeight: number;
  /** Added to numerator and denominator of the soft Dice (VM-UNet: 1). */
  smooth: number;
}

export const DEFAULT_BCE_DICE: BceDiceOptions = { bceWeight: 1, diceWeight: 1, smooth: 1 };

/** torch's F.normalize eps: norms are clamped below at this. */
const NORM_EPS = 1e-12;

function checkShapes(logits: tf.Tensor4D, masks: tf.Tensor3D, weights: tf.Tensor1D | null): void {
  const [b, h, w, k] = logits.shape;
  if (k !== 2) throw new Error(`segmentation loss: expected 2-class logits [B, H, W, 2], got [${logits.shape.join(', ')}]`);
  if (masks.shape[0] !== b || masks.shape[1] !== h || masks.shape[2] !== w) {
    throw new Error(`segmentation loss: masks [${masks.shape.join(', ')}] do not match logits [${logits.shape.join(', ')}]`);
  }
  if (weights && weights.shape[0] !== b) throw new Error(`segmentation loss: ${weights.shape[0]} weights for ${b} images`);
}

/**
 * t-vMF Dice loss with one kappa per class ([background, foreground]); weights [B] or null (see above).
 * Returns a scalar; differentiable with respect to the logits.
 */
export function tvmfDiceLoss(logits: tf.Tensor4D, masks: tf.Tensor3D, kappa: readonly number[], weights: tf.Tensor1D | null = null): tf.Scalar {
  checkShapes(logits, masks, weights);
  if (kappa.length !== 2 || kappa.some((k) => !Number.isFinite(k) || k < 0)) throw new Error(`tvmfDiceLoss: need 2 finite kappas >= 0, got [${kappa.join(', ')}]`);
  return tf.tidy(() => {
    const [b, h, w] = masks.shape;
    const p = tf.reshape(tf.softmax(logits), [b, h * w, 2]);
    const m = tf.reshape(tf.cast(masks, 'float32'), [b, h * w, 1]);
    const g = tf.concat([tf.sub(1, m), m], 2);
    const wsum = (t: tf.Tensor): tf.Tensor => tf.sum(weights ? tf.mul(t, tf.reshape(weights, [b, 1, 1])) : t, [0, 1]); // [2]
    // max(sqrt(s), eps) written as sqrt(max(s, eps^2)): same value, and a zero gradient (not 0 * inf) when s = 0.
    const norm = (s: tf.Tensor): tf.Tensor => tf.sqrt(tf.maximum(s, NORM_EPS * NORM_EPS));
    const cos = tf.div(wsum(tf.mul(p, g)), tf.mul(norm(wsum(tf.square(p))), norm(wsum(tf.square(g)))));
    const k = tf.tensor1d(kappa as number[]);
    const phi = tf.sub(tf.div(tf.add(1, cos), tf.add(1, tf.mul(k, tf.sub(1, cos)))), 1);
    return tf.mean(tf.square(tf.sub(1, phi))) as tf.Scalar;
  });
}

/** Per-image BCE + soft-Dice loss [B] (see the top of the file). */
export function bceDicePerImage(logits: tf.Tensor4D, masks: tf.Tensor3D, o: BceDiceOptions = DEFAULT_BCE_DICE): tf.Tensor1D {
  checkShapes(logits, masks, null);
  return tf.tidy(() => {
    const [b, h, w] = masks.shape;
    const l = tf.reshape(logits, [b * h * w, 2]);
    // Foreground logit difference d = l1 - l0 via a matMul with [-1, 1] (no strided slice on the CPU backend).
    const d = tf.reshape(tf.matMul(l, tf.tensor2d([-1, 1], [2, 1])), [b, h * w]);
    const m = tf.reshape(tf.cast(masks, 'float32'), [b, h * w]);
    // -[m log sigmoid(d) + (1 - m) log(1 - sigmoid(d))] = softplus(d) - m d.
    const bce = tf.mean(tf.sub(tf.softplus(d), tf.mul(m, d)), 1);
    const p = tf.sigmoid(d);
    const dice = tf.sub(1, tf.div(tf.add(tf.mul(tf.sum(tf.mul(p, m), 1), 2), o.smooth), tf.add(tf.add(tf.sum(p, 1), tf.sum(m, 1)), o.smooth)));
    return tf.add(tf.mul(bce, o.bceWeight), tf.mul(dice, o.diceWeight)) as tf.Tensor1D;
  });
}

/** BCE + soft Dice, the (weighted) mean over images. */
export function bceDiceLoss(logits: tf.Tensor4D, masks: tf.Tensor3D, weights: tf.Tensor1D | null = null, o: BceDiceOptions = DEFAULT_BCE_DICE): tf.Scalar {
  checkShapes(logits, masks, weights);
  return tf.tidy(() => {
    const per = bceDicePerImage(logits, masks, o);
    if (!weights) return tf.mean(per) as tf.Scalar;
    // sum(w L) / sum(w); 0 when every weight is 0 (the max keeps 0 / 0 away).
    return tf.div(tf.sum(tf.mul(per, weights)), tf.maximum(tf.sum(weights), 1e-12)) as tf.Scalar;
  });
}

/**
 * The loss a training run names: 'atvmf' and 'tvmf' are the t-vMF Dice loss with the given per-class kappa
 * (adaptive or fixed, see adaptive-kappa.ts), 'bcedice' ignores kappa.
 */
export function segmentationLoss(
  name: SegLossName,
  logits: tf.Tensor4D,
  masks: tf.Tensor3D,
  kappa: readonly number[],
  weights: tf.Tensor1D | null = null,
): tf.Scalar {
  return name === 'bcedice' ? bceDiceLoss(logits, masks, weights) : tvmfDiceLoss(logits, masks, kappa, weights);
}
