/**
 * SS2D's four scanning orders (VMamba's CrossScan / CrossMerge): a feature map [B, H, W, E] read as
 * sequences of L = H W tokens row by row (k = 0), column by column (k = 1), and both reversed (k = 2, 3);
 * and back: each direction's output put in place again and the four summed.
 */
import * as tf from '@tensorflow/tfjs';

export const SCAN_DIRECTIONS = 4;

/** [B, H, W, E] -> [4, B, H W, E]. */
export function crossScan(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, e] = x.shape;
  return tf.tidy(() => {
    const rows = tf.reshape(x, [b, h * w, e]);
    const cols = tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, h * w, e]);
    const forward = tf.stack([rows, cols]) as tf.Tensor4D;
    return tf.concat([forward, tf.reverse(forward, 2)], 0);
  });
}

/** [4, B, H W, E] (outputs in crossScan's orders) -> [B, H, W, E], the sum of the four put back in place. */
export function crossMerge(y: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [k, b, len, e] = y.shape;
  if (k !== SCAN_DIRECTIONS || len !== h * w) throw new Error(`crossMerge: [${y.shape}] for ${h}x${w}`);
  return tf.tidy(() => {
    const forward = tf.slice(y, [0, 0, 0, 0], [2, -1, -1, -1]);
    const backward = tf.reverse(tf.slice(y, [2, 0, 0, 0], [2, -1, -1, -1]), 2);
    const [rows, cols] = tf.unstack(tf.add(forward, backward), 0) as [tf.Tensor3D, tf.Tensor3D];
    const fromCols = tf.transpose(tf.reshape(cols, [b, w, h, e]), [0, 2, 1, 3]);
    return tf.add(tf.reshape(rows, [b, h, w, e]), fromCols) as tf.Tensor4D;
  });
}
