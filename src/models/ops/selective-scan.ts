/**
 * Mamba's selective scan (S6), the core of VM-UNet's SS2D, in plain differentiable tfjs ops: the reference
 * for the WGSL kernel (src/gpu/kernels/selective-scan.ts) and what runs off WebGPU.
 *
 *   h_t[d, n] = exp(delta_t[d] A[d, n]) h_{t-1}[d, n] + delta_t[d] B_t[n] x_t[d],   h_{-1} = 0
 *   y_t[d]    = sum_n C_t[n] h_t[d, n] + D[d] x_t[d]
 *
 * Shapes (Mamba's convention, channels last): x, delta [batch, L, Dc]; A [Dc, N]; B, C [batch, L, N], shared
 * by every channel; D [Dc]; y [batch, L, Dc]. delta is used as given (the caller applies its bias and
 * softplus); A is used as given (the caller's -exp(A_log) keeps it negative, so every decay is in (0, 1]).
 *
 * The recurrence h_t = a_t h_{t-1} + b_t is computed as a parallel prefix scan by recursive doubling
 * (Hillis & Steele): pairs (a, b) compose as (a2 a1, a2 b1 + b2), and after the step with stride s every
 * position holds the composition of the 2s positions ending at it. ceil(log2 L) steps of a few whole-tensor
 * ops each, so tfjs records about 6 log2 L ops instead of about 2 L for a loop over t (what matters on the
 * CPU and WebGL backends, which have a fixed cost per op), at the price of O(L log L) arithmetic and
 * [batch, L, Dc, N] intermediates per step. Products of decays only shrink, so nothing overflows.
 * tests/unit/vmunet.test.ts checks it against a plain loop.
 */
import * as tf from '@tensorflow/tfjs';

/** Throws when the six operands do not have the shapes above. Returns [batch, L, Dc, N]. */
export function selectiveScanShapes(x: tf.Tensor, delta: tf.Tensor, A: tf.Tensor, B: tf.Tensor, C: tf.Tensor, D: tf.Tensor): [number, number, number, number] {
  const fail = (what: string): never => {
    throw new Error(`selectiveScan: ${what}; got x [${x.shape}], delta [${delta.shape}], A [${A.shape}], B [${B.shape}], C [${C.shape}], D [${D.shape}]`);
  };
  if (x.rank !== 3 || delta.rank !== 3 || A.rank !== 2 || B.rank !== 3 || C.rank !== 3 || D.rank !== 1) fail('ranks must be 3, 3, 2, 3, 3, 1');
  const [batch, len, channels] = x.shape as [number, number, number];
  const states = A.shape[1] as number;
  if (delta.shape.join() !== x.shape.join()) fail('delta must have the shape of x');
  if (A.shape[0] !== channels || D.shape[0] !== channels) fail('A must be [Dc, N] and D [Dc]');
  if (B.shape.join() !== [batch, len, states].join() || C.shape.join() !== B.shape.join()) fail('B and C must be [batch, L, N]');
  return [batch, len, channels, states];
}

/** y [batch, L, Dc]; see the file comment. Differentiable with respect to all six operands. */
export function selectiveScan(x: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D, D: tf.Tensor1D): tf.Tensor3D {
  const [, len] = selectiveScanShapes(x, delta, A, B, C, D);
  return tf.tidy(() => {
    const delta4 = tf.expandDims(delta, 3); // [batch, L, Dc, 1]
    let a = tf.exp(tf.mul(delta4, A)) as tf.Tensor4D; // [batch, L, Dc, N]
    let h = tf.mul(tf.expandDims(tf.mul(delta, x), 3), tf.expandDims(B, 2)) as tf.Tensor4D; // b_t, then h_t
    // Position t's predecessor at distance s, with zeros before the start (h_{-1} = 0; the decays there are
    // never used, because a position t < s already holds its whole prefix).
    const shifted = (v: tf.Tensor4D, s: number): tf.Tensor4D =>
      tf.pad(tf.slice(v, [0, 0, 0, 0], [-1, len - s, -1, -1]), [[0, 0], [s, 0], [0, 0], [0, 0]]);
    // L = 1: h_0 = a_0 h_{-1} + b_0 with h_{-1} = 0, written out so that A stays on the tape (its gradient
    // is zero, and tf.grads refuses an operand that nothing depends on).
    if (len === 1) h = tf.add(h, tf.mul(a, tf.zerosLike(h)));
    for (let s = 1; s < len; s *= 2) {
      h = tf.add(h, tf.mul(a, shifted(h, s)));
      if (2 * s < len) a = tf.mul(a, shifted(a, s));
    }
    const y = tf.sum(tf.mul(h, tf.expandDims(C, 2)), 3); // [batch, L, Dc]
    return tf.add(y, tf.mul(x, D)) as tf.Tensor3D;
  });
}
