/**
 * Minibatch standard deviation (StyleGAN2 `MinibatchStdLayer`): for groups of `groupSize` samples, the
 * standard deviation of every feature across the group, averaged to `numChannels` numbers per group and
 * appended as extra feature maps. It lets the discriminator see batch diversity, which punishes collapse.
 * Built from reshape/mean/sqrt/broadcast only, so it is differentiable twice (R1).
 */
import * as tf from '@tensorflow/tfjs';

/** x: [N, H, W, C] -> [N, H, W, C + numChannels]. N must be divisible by min(groupSize, N). */
export function minibatchStddev(x: tf.Tensor4D, groupSize: number, numChannels: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const g = Math.min(groupSize, n);
    if (n % g !== 0) throw new Error(`minibatch-stddev: batch ${n} not divisible by group ${g}`);
    if (c % numChannels !== 0) throw new Error(`minibatch-stddev: ${c} channels not divisible by ${numChannels}`);
    const m = n / g;
    const f = numChannels;
    // Sample s = gi * m + mi: the group index gi varies slowest, like StyleGAN's reshape(G, -1, ...).
    // Kept at rank <= 4: tfjs's Tile gradient (behind broadcastTo) is not implemented for rank 5.
    const grouped = x.reshape([g, m * h * w, f, c / f]);
    const centred = grouped.sub(grouped.mean(0, true));
    const std = centred.square().mean(0).add(1e-8).sqrt(); // [m*h*w, F, c/F]
    const perGroup = std.reshape([m, h * w, f, c / f]).mean([1, 3]); // [m, F]
    const perSample = perGroup.reshape([1, m, f]).tile([g, 1, 1]).reshape([n, 1, 1, f]);
    const maps = perSample.tile([1, h, w, 1]) as tf.Tensor4D;
    return tf.concat([x, maps], 3);
  });
}
