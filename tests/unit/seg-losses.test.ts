// The segmentation losses against values worked out by hand, a float64 reference (values and finite-
// difference gradients), and the stated meaning of per-image weights.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/data/rng.ts';
import { bceDiceLoss, bceDicePerImage, segmentationLoss, tvmfDiceLoss } from '../../src/train/seg-losses.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const logit = (p: number): number => Math.log(p / (1 - p));

/** Logits [1, 2, 2, 2] with background logit 0 and the given foreground probabilities (row-major). */
function logitsFor(fg: number[], b = 1, h = 2, w = 2): tf.Tensor4D {
  return tf.tensor4d(fg.flatMap((p) => [0, logit(p)]), [b, h, w, 2]);
}

/** Float64 reference of the t-vMF Dice loss: logits [B*H*W*2] flat, masks [B*H*W], weights per image. */
function tvmfReference(logits: Float64Array, masks: number[], kappa: number[], weights: number[] | null, pixelsPerImage: number): number {
  let loss = 0;
  for (let c = 0; c < 2; c++) {
    let pg = 0;
    let pp = 0;
    let gg = 0;
    for (let i = 0; i < masks.length; i++) {
      const l0 = logits[2 * i] as number;
      const l1 = logits[2 * i + 1] as number;
      const mx = Math.max(l0, l1);
      const e0 = Math.exp(l0 - mx);
      const e1 = Math.exp(l1 - mx);
      const p = (c === 1 ? e1 : e0) / (e0 + e1);
      const g = c === 1 ? (masks[i] as number) : 1 - (masks[i] as number);
      const w = weights ? (weights[Math.floor(i / pixelsPerImage)] as number) : 1;
      pg += w * p * g;
      pp += w * p * p;
      gg += w * g * g;
    }
    const cos = pg / (Math.max(Math.sqrt(pp), 1e-12) * Math.max(Math.sqrt(gg), 1e-12));
    const phi = (1 + cos) / (1 + (kappa[c] as number) * (1 - cos)) - 1;
    loss += (1 - phi) ** 2;
  }
  return loss / 2;
}

function scalar(t: tf.Scalar): number {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
}

describe('t-vMF Dice loss', () => {
  /*
   * Hand-worked example: one 2x2 image, mask [[1, 0], [0, 0]], foreground probabilities [[0.8, 0.4], [0.2, 0.4]]
   * (so background probabilities [[0.2, 0.6], [0.8, 0.6]]).
   *   foreground: ||p1|| = sqrt(0.64 + 0.16 + 0.04 + 0.16) = 1, ||g1|| = 1, cos1 = 0.8 * 1 = 0.8.
   *   background: ||p0|| = sqrt(0.04 + 0.36 + 0.64 + 0.36) = sqrt(1.4), ||g0|| = sqrt(3),
   *               cos0 = (0.6 + 0.8 + 0.6) / sqrt(4.2) = 2 / 2.049390 = 0.975900.
   *   kappa = 0:  phi = cos.  L1 = (1 - 0.8)^2 = 0.04, L0 = (1 - 0.975900)^2 = 0.000581; mean 0.020290.
   *   kappa = 32: phi1 = 1.8 / (1 + 32 * 0.2) - 1 = 1.8 / 7.4 - 1 = -0.756757, L1 = 1.756757^2 = 3.086194;
   *               phi0 = 1.975900 / (1 + 32 * 0.024100) - 1 = 1.975900 / 1.771197 - 1 = 0.115573,
   *               L0 = 0.884427^2 = 0.782211; mean 1.934203.
   *   kappa = [0, 32]: (0.000581 + 3.086194) / 2 = 1.543388.
   */
  const fg = [0.8, 0.4, 0.2, 0.4];
  const mask = [1, 0, 0, 0];

  it('matches the hand-worked 2x2 example for kappa 0, 32 and per-class [0, 32]', () => {
    const l = logitsFor(fg);
    const m = tf.tensor3d(mask, [1, 2, 2]);
    expect(scalar(tvmfDiceLoss(l, m, [0, 0]))).toBeCloseTo(0.020290, 5);
    expect(scalar(tvmfDiceLoss(l, m, [32, 32]))).toBeCloseTo(1.934203, 4);
    expect(scalar(tvmfDiceLoss(l, m, [0, 32]))).toBeCloseTo(1.543388, 4);
    expect(scalar(segmentationLoss('tvmf', l, m, [32, 32]))).toBeCloseTo(1.934203, 4);
    tf.dispose([l, m]);
  });

  it('is 0 for a perfect prediction, and a constant (no gradient) for a class absent from the batch', () => {
    const m = tf.tensor3d([1, 0, 0, 1], [1, 2, 2]);
    const sure = tf.tensor4d([0, 30, 30, 0, 30, 0, 0, 30], [1, 2, 2, 2]);
    expect(scalar(tvmfDiceLoss(sure, m, [32, 32]))).toBeLessThan(1e-6);
    // No foreground anywhere: g1 = 0, so cos1 = 0 and L1 = (2 - 1 / (1 + kappa))^2 whatever the prediction
    // (kappa 0: L1 = 1). The difference between kappa [0, 4] and [0, 0] is then that constant, halved.
    const empty = tf.zeros([1, 2, 2]) as tf.Tensor3D;
    const l = logitsFor(fg);
    const diff = scalar(tvmfDiceLoss(l, empty, [0, 4])) - scalar(tvmfDiceLoss(l, empty, [0, 0]));
    expect(diff).toBeCloseTo(((2 - 1 / 5) ** 2 - 1) / 2, 5);
    const g = tf.grad((x) => tvmfDiceLoss(x as tf.Tensor4D, empty, [0, 4]))(l);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([m, sure, empty, l, g]);
  });

  it('agrees with a float64 reference in value and in finite-difference gradients (weights and kappa per class)', () => {
    const rand = mulberry32(11);
    const [b, h, w] = [2, 3, 3];
    const n = b * h * w;
    const raw = Float64Array.from({ length: 2 * n }, () => 3 * (rand() * 2 - 1));
    const masks = Array.from({ length: n }, () => (rand() < 0.4 ? 1 : 0));
    for (const [kappa, weights] of [
      [[0, 0], null],
      [[5, 20], [0.3, 1.7]],
    ] as [number[], number[] | null][]) {
      const x = tf.tensor4d(Float32Array.from(raw), [b, h, w, 2]);
      const m = tf.tensor3d(masks, [b, h, w]);
      const wt = weights ? tf.tensor1d(weights) : null;
      const loss = (t: tf.Tensor): tf.Scalar => tvmfDiceLoss(t as tf.Tensor4D, m, kappa, wt);
      expect(scalar(loss(x))).toBeCloseTo(tvmfReference(raw, masks, kappa, weights, h * w), 5);
      const grad = tf.grad(loss)(x);
      const analytic = grad.dataSync();
      const eps = 1e-5;
      for (let i = 0; i < raw.length; i++) {
        const up = Float64Array.from(raw);
        const down = Float64Array.from(raw);
        up[i] = (up[i] as number) + eps;
        down[i] = (down[i] as number) - eps;
        const numeric = (tvmfReference(up, masks, kappa, weights, h * w) - tvmfReference(down, masks, kappa, weights, h * w)) / (2 * eps);
        expect(Math.abs((analytic[i] as number) - numeric)).toBeLessThan(1e-4 + 1e-3 * Math.abs(numeric));
      }
      tf.dispose([x, m, grad, ...(wt ? [wt] : [])]);
    }
  });

  it('weights: all 1 = unweighted; only ratios matter; 0 drops an image; weight 2 = the image twice', () => {
    const rand = mulberry32(5);
    const a = Array.from({ length: 8 }, () => rand() * 4 - 2);
    const bb = Array.from({ length: 8 }, () => rand() * 4 - 2);
    const ma = [1, 1, 0, 0];
    const mb = [0, 1, 0, 0];
    const L = (logits: number[][], masks: number[][], w: number[] | null): number => {
      const x = tf.tensor4d(logits.flat(), [logits.length, 2, 2, 2]);
      const m = tf.tensor3d(masks.flat(), [masks.length, 2, 2]);
      const wt = w ? tf.tensor1d(w) : null;
      const v = scalar(tvmfDiceLoss(x, m, [3, 10], wt));
      tf.dispose([x, m, ...(wt ? [wt] : [])]);
      return v;
    };
    const plain = L([a, bb], [ma, mb], null);
    expect(L([a, bb], [ma, mb], [1, 1])).toBeCloseTo(plain, 6);
    expect(L([a, bb], [ma, mb], [0.5, 0.25])).toBeCloseTo(L([a, bb], [ma, mb], [2, 1]), 6);
    expect(L([a, bb], [ma, mb], [1, 0])).toBeCloseTo(L([a], [ma], null), 6);
    expect(L([a, bb], [ma, mb], [2, 1])).toBeCloseTo(L([a, a, bb], [ma, ma, mb], null), 6);
    expect(() => tvmfDiceLoss(tf.zeros([1, 2, 2, 2]), tf.zeros([1, 2, 2]), [1])).toThrow(/2 finite kappas/);
    expect(() => tvmfDiceLoss(tf.zeros([1, 2, 2, 2]), tf.zeros([1, 2, 3]), [1, 1])).toThrow(/do not match/);
  });
});

describe('BCE + Dice loss', () => {
  it('matches a hand-worked example', () => {
    // One 1x2 image, mask [1, 0], foreground probabilities [0.75, 0.5]:
    //   BCE = (-ln 0.75 - ln 0.5) / 2 = (0.287682 + 0.693147) / 2 = 0.490415
    //   Dice = 1 - (2 * 0.75 + 1) / (1.25 + 1 + 1) = 1 - 2.5 / 3.25 = 0.230769      (smooth 1)
    //   loss = 0.721184
    const x = tf.tensor4d([0, Math.log(3), 0, 0], [1, 1, 2, 2]);
    const m = tf.tensor3d([1, 0], [1, 1, 2]);
    expect(scalar(bceDiceLoss(x, m))).toBeCloseTo(0.721184, 5);
    expect(scalar(bceDiceLoss(x, m, null, { bceWeight: 1, diceWeight: 0, smooth: 1 }))).toBeCloseTo(0.490415, 5);
    expect(scalar(segmentationLoss('bcedice', x, m, [99, 99]))).toBeCloseTo(0.721184, 5); // kappa ignored
    // An empty mask predicted empty with confidence costs (almost) nothing, thanks to the smooth term.
    const sure = tf.tensor4d([20, 0, 20, 0], [1, 1, 2, 2]);
    expect(scalar(bceDiceLoss(sure, tf.zeros([1, 1, 2]) as tf.Tensor3D))).toBeLessThan(1e-5);
    tf.dispose([x, m, sure]);
  });

  it('weights make a weighted mean of per-image losses; all-zero weights give 0; gradients finite at large logits', () => {
    const x = tf.randomNormal([3, 2, 2, 2], 0, 2, 'float32', 9) as tf.Tensor4D;
    const m = tf.tensor3d([1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1], [3, 2, 2]);
    const per = Array.from(bceDicePerImage(x, m).dataSync());
    const w = [0.2, 1, 3];
    const want = (0.2 * per[0]! + per[1]! + 3 * per[2]!) / 4.2;
    const wt = tf.tensor1d(w);
    expect(scalar(bceDiceLoss(x, m, wt))).toBeCloseTo(want, 5);
    expect(scalar(bceDiceLoss(x, m))).toBeCloseTo((per[0]! + per[1]! + per[2]!) / 3, 5);
    const zero = tf.zeros([3]) as tf.Tensor1D;
    expect(scalar(bceDiceLoss(x, m, zero))).toBe(0);
    const big = tf.mul(x, 100) as tf.Tensor4D;
    const g = tf.grad((t) => bceDiceLoss(t as tf.Tensor4D, m, wt))(big);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, m, wt, zero, big, g]);
  });
});
