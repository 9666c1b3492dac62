/**
 * Zero-padded k x k convolution (k odd, padding (k - 1) / 2 on every side, as PyTorch's padding=k//2: output
 * side ceil(side / stride)) with a weight in tfjs's [k, k, Cin, Cout] layout, computed one of two ways:
 *
 * - 'native': tf.conv2d. What the GPU backends are built for, and it stores no patch matrix.
 * - 'im2col': gather the patches with a depthwise convolution by a fixed one-hot kernel, then one matMul.
 *   On tfjs's CPU backend the weight gradient of tf.conv2d (Conv2DBackpropFilter) runs tens of times slower
 *   than the forward pass; this route needs only a depthwise input-gradient and matMul gradients, which made
 *   CPU training several times faster here (see the feature extractor and ENVIRONMENT.md). It costs k*k times
 *   the input's memory for the patch matrix, which the GPU backends are better off without.
 *
 * Both give the same numbers up to float rounding (a unit test checks values and gradients), and the weights
 * are stored the same way, so a model trained with one runs with the other.
 */
import * as tf from '@tensorflow/tfjs';

export type ConvImpl = 'native' | 'im2col';

/** im2col on the CPU backend (where it is much faster to train), tf.conv2d elsewhere. */
export function defaultConvImpl(): ConvImpl {
  return tf.getBackend() === 'cpu' ? 'im2col' : 'native';
}

/**
 * The one-hot depthwise kernels im2col needs, one per (k, channels), made once and kept until dispose()
 * (they are constants: building them per step would cost an upload each time).
 */
export class PatchKernels {
  private readonly cache = new Map<string, tf.Tensor4D>();

  /** [k, k, c, k*k]: output channel ch * k*k + (dy * k + dx) copies input channel ch at tap (dy, dx). */
  get(k: number, c: number): tf.Tensor4D {
    const key = `${k}x${c}`;
    let t = this.cache.get(key);
    if (!t) {
      const kk = k * k;
      const e = new Float32Array(kk * c * kk);
      for (let tap = 0; tap < kk; tap++) for (let ch = 0; ch < c; ch++) e[(tap * c + ch) * kk + tap] = 1;
      t = tf.keep(tf.tensor4d(e, [k, k, c, kk]));
      this.cache.set(key, t);
    }
    return t;
  }

  /** Number of cached kernels (tests). */
  get size(): number {
    return this.cache.size;
  }

  dispose(): void {
    for (const t of this.cache.values()) t.dispose();
    this.cache.clear();
  }
}

/**
 * x [N, H, W, Cin] conv w [k, k, Cin, Cout] with stride s and padding (k - 1) / 2, no bias
 * -> [N, ceil(H / s), ceil(W / s), Cout].
 */
export function convPadded(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, impl: ConvImpl, patches: PatchKernels): tf.Tensor4D {
  const [k, k2, cin, cout] = w.shape;
  if (k !== k2 || k % 2 !== 1) throw new Error(`convPadded: odd square kernels only, got ${k}x${k2}`);
  if (x.shape[3] !== cin) throw new Error(`convPadded: input has ${x.shape[3]} channels, the weight expects ${cin}`);
  const pad = (k - 1) / 2;
  return tf.tidy(() => {
    if (impl === 'native') return tf.conv2d(x, w, stride, pad);
    // Rows of the weight matrix ordered (cin, dy, dx), matching the patch channels.
    const wm = k === 1 ? tf.reshape(w, [cin, cout]) : tf.reshape(tf.transpose(w, [2, 0, 1, 3]), [cin * k * k, cout]);
    const cols = k === 1 && stride === 1 ? x : tf.depthwiseConv2d(x, patches.get(k, cin), stride, pad);
    const [n, ho, wo, kc] = cols.shape;
    return tf.reshape(tf.matMul(tf.reshape(cols, [n * ho * wo, kc]), wm), [n, ho, wo, cout]);
  });
}
