/**
 * "Blur, then strided convolution" as one strided convolution, for the discriminator's downsampling.
 * StyleGAN2's discriminator low-passes with the separable FIR [1,3,3,1]/8 before every stride-2 layer.
 * Folding the FIR into the kernel (a full 2-D convolution of the k x k kernel with the t x t filter, giving
 * a (k+t-1)^2 kernel) makes the whole thing conv2d + matMul: both are differentiable twice in tfjs, which
 * the R1 penalty requires, while tfjs's depthwise convolution and average pooling are not.
 */
import * as tf from '@tensorflow/tfjs';

/** StyleGAN2's resampling filter, normalised to unit DC gain. */
export const BLUR_TAPS = new Float32Array([1, 3, 3, 1].map((v) => v / 8));

/** Toeplitz matrix A [k + t - 1, k] with A[i, p] = taps[i - p], so A @ v is the full convolution taps * v. */
function convolutionMatrix(taps: Float32Array, k: number): tf.Tensor2D {
  const t = taps.length;
  const rows = k + t - 1;
  const a = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) {
    for (let p = 0; p < k; p++) {
      const j = i - p;
      if (j >= 0 && j < t) a[i * k + p] = taps[j] ?? 0;
    }
  }
  return tf.tensor2d(a, [rows, k]);
}

/**
 * kernel [k, k, Cin, Cout] -> [k+t-1, k+t-1, Cin, Cout], the kernel convolved with taps (x) taps in both
 * spatial dimensions.
 */
export function foldFirIntoKernel(kernel: tf.Tensor4D, taps: Float32Array): tf.Tensor4D {
  return tf.tidy(() => {
    const [k, , cin, cout] = kernel.shape;
    const a = convolutionMatrix(taps, k);
    const big = k + taps.length - 1;
    // Along the first spatial dimension, then (after swapping the two) along the second.
    const alongFirst = tf.matMul(a, kernel.reshape([k, k * cin * cout])).reshape([big, k, cin, cout]);
    const swapped = alongFirst.transpose([1, 0, 2, 3]).reshape([k, big * cin * cout]);
    const alongBoth = tf.matMul(a, swapped).reshape([big, big, cin, cout]);
    return alongBoth.transpose([1, 0, 2, 3]) as tf.Tensor4D;
  });
}

/**
 * Low-pass with `taps` then convolve with `kernel` at stride 2, halving an even size:
 * [N, H, W, Cin] -> [N, H/2, W/2, Cout]. Same result as StyleGAN2's conv2d_resample(down=2).
 */
export function downsampleConv(x: tf.Tensor4D, kernel: tf.Tensor4D, taps: Float32Array = BLUR_TAPS): tf.Tensor4D {
  return tf.tidy(() => {
    const folded = foldFirIntoKernel(kernel, taps);
    const pad = (folded.shape[0] - 2) / 2;
    return tf.conv2d(x, folded, 2, [
      [0, 0],
      [pad, pad],
      [pad, pad],
      [0, 0],
    ]);
  });
}
