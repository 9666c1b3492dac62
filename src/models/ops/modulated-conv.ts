/**
 * Modulated convolution (StyleGAN2/3) in the non-fused form, because tfjs has no grouped convolution:
 *
 *   y = conv2d(x * s, W) * dcoef,   dcoef[n, o] = rsqrt( sum_i s[n,i]^2 * sum_k W[k,i,o]^2 + 1e-8 )
 *
 * which equals convolving sample n with its own weights W[k,i,o] * s[n,i] * dcoef[n,o] (the fused form),
 * because both factors are constant over space. `dcoef` is one small matrix product (styles squared times
 * the per-(in,out) weight energy), the second op a WGSL kernel replaces (shaders/modulated_conv_dcoef.wgsl).
 *
 * StyleGAN3 also pre-normalises W per output channel and s globally before demodulating; both scalings
 * cancel exactly in the demodulated result (they only guard fp16 ranges), so they are omitted here.
 */
import * as tf from '@tensorflow/tfjs';

export interface ModulatedConvOptions {
  /** Divide each output channel by the norm of its effective per-sample weights (all but ToRGB). */
  demodulate: boolean;
  /** Zero padding per side (StyleGAN3 uses kernel-1, a "full" convolution that grows the map). */
  padding: number;
  /**
   * Extra per-input scale applied after demodulation coefficients are computed (StyleGAN3's `input_gain`,
   * the inverse RMS of the layer input tracked by an EMA). A scalar tensor or number; omitted = 1.
   */
  inputGain?: tf.Scalar | number;
  /** Computes the demodulation coefficients (default: the plain-tfjs reference below; a kernel may be passed). */
  dcoef?: (weight: tf.Tensor4D, styles: tf.Tensor2D) => tf.Tensor2D;
}

/**
 * Demodulation coefficients [N, Cout] for weights [kh, kw, Cin, Cout] and styles [N, Cin].
 */
export function demodulationCoefficients(weight: tf.Tensor4D, styles: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const energy = weight.square().sum([0, 1]) as tf.Tensor2D; // [Cin, Cout]
    return tf.matMul(styles.square(), energy).add(1e-8).rsqrt() as tf.Tensor2D;
  });
}

/**
 * x: [N, H, W, Cin] (NHWC), weight: [kh, kw, Cin, Cout] (tfjs filter layout), styles: [N, Cin].
 * Returns [N, H + 2p - kh + 1, W + 2p - kw + 1, Cout].
 */
export function modulatedConv(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  styles: tf.Tensor2D,
  opts: ModulatedConvOptions,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, , , cin] = x.shape;
    const cout = weight.shape[3];
    let inputScale: tf.Tensor2D = styles;
    if (opts.inputGain !== undefined && opts.inputGain !== 1) inputScale = styles.mul(opts.inputGain);
    const modulated = x.mul(inputScale.reshape([n, 1, 1, cin])) as tf.Tensor4D;
    const p = opts.padding;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ];
    const y = tf.conv2d(modulated, weight, 1, p === 0 ? 'valid' : pad);
    if (!opts.demodulate) return y;
    const dcoef = (opts.dcoef ?? demodulationCoefficients)(weight, styles);
    return y.mul(dcoef.reshape([n, 1, 1, cout]));
  });
}
