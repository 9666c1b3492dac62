/**
 * Space-to-depth and depth-to-space by p x p blocks, NHWC, with only reshapes and rank-4 transposes (the
 * WebGL/WebGPU backends run those natively; see unet.ts). Exact, and their gradients are each other.
 *
 * VM-UNet's patch embedding (a 4x4 stride-4 convolution) is spaceToDepth(x, 4) then one matMul with the
 * conv weight [4, 4, Cin, C] read as [16 Cin, C]: the channel order (dy, dx, c) is the conv weight's, so
 * the result is exactly tf.conv2d(x, w, 4, 'valid') (a unit test checks it). Patch merging is
 * spaceToDepth(x, 2) then LN and a linear map; patch expanding a linear map then depthToSpace.
 * (VMamba concatenates the four 2x2 neighbours in the order (0,0), (1,0), (0,1), (1,1); ours is (0,0),
 * (0,1), (1,0), (1,1). The linear map after it is learned, so only a port of their weights would notice.)
 */
import * as tf from '@tensorflow/tfjs';

/** [B, H, W, C] -> [B, H/p, W/p, p*p*C], channel index (dy * p + dx) * C + c. */
export function spaceToDepth(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h % p !== 0 || w % p !== 0) throw new Error(`spaceToDepth: ${h}x${w} is not divisible by ${p}`);
  return tf.tidy(() => {
    // Rows (b, hp), then (dy, wp, (dx, c)) -> (wp, dy, (dx, c)).
    const t = tf.transpose(tf.reshape(x, [b * (h / p), p, w / p, p * c]), [0, 2, 1, 3]);
    return tf.reshape(t, [b, h / p, w / p, p * p * c]);
  });
}

/** Inverse of spaceToDepth: [B, H, W, p*p*C] -> [B, H*p, W*p, C]. */
export function depthToSpace(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const [b, h, w, pc] = x.shape;
  if (pc % (p * p) !== 0) throw new Error(`depthToSpace: ${pc} channels are not divisible by ${p * p}`);
  const c = pc / (p * p);
  return tf.tidy(() => {
    const t = tf.transpose(tf.reshape(x, [b * h, w, p, p * c]), [0, 2, 1, 3]);
    return tf.reshape(t, [b, h * p, w * p, c]);
  });
}
