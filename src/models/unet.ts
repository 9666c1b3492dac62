/**
 * The segmenter of the pseudo-labelling experiment: a U-Net (Ronneberger et al. 2015) with batch norm, in
 * plain differentiable tfjs ops, NHWC. See unet-config.ts for the sizes and presets.
 *
 *   x [B, S, S, C] in [-1, 1]
 *   encoder level i = 0..depth:  (2x2 max-pool if i > 0) -> [conv3x3 -> BN -> ReLU] x 2, width baseWidth * 2^i
 *   decoder level i = depth-1..0: up x2 (transposed conv 2x2/2, or upsample + conv3x3) -> BN -> ReLU,
 *                                 concat with encoder level i -> [conv3x3 -> BN -> ReLU] x 2
 *   head: conv1x1 -> logits [B, S, S, 2] (background, foreground; softmax over the last axis)
 *
 * Differences from Kato & Hotta's U-Net, stated because the paper's numbers come from theirs: theirs has three
 * convolutions per encoder level and concatenates each skip with the pooled features before the transposed
 * convolution; this one is the textbook layout (two convolutions, skip after upsampling). Both have batch norm
 * after every convolution, the up-convolution included, so only the head has a bias.
 *
 * Initialisation: He normal (fan-out) for 3x3 convolutions as in the classifier; the transposed convolution
 * with std sqrt(2 / Cin) (each output pixel sums Cin inputs through one tap); the head N(0, 1 / Cin), bias 0.
 * Seeded per parameter key (ParamStore). Parameter keys: enc{i}.conv{1,2}.weight, enc{i}.bn{1,2},
 * dec{i}.up.weight, dec{i}.up_bn, dec{i}.conv{1,2}.weight, dec{i}.bn{1,2}, head.weight, head.bias.
 *
 * The transposed convolution is written as one matMul plus a pixel shuffle (kernel = stride = 2 taps never
 * overlap), and the x2 upsamplings with concat/slice: exact, with gradients that are again matMuls and
 * slices. tfjs's own ops are avoided on purpose: the CPU backend's filter gradient of conv2dTranspose is the
 * 40x-slow Conv2DBackpropFilter, and its ResizeBilinearGrad ignores halfPixelCenters (wrong gradients).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, createBatchNorm, type BatchNorm } from './batch-norm.ts';
import { convPadded, defaultConvImpl, PatchKernels, type ConvImpl } from './ops/conv-im2col.ts';
import { broadcastRows } from './ops/row-broadcast.ts';
import { ParamModel } from './param-model.ts';
import { ParamStore } from './param-store.ts';
import { levelWidth, UNET_CLASSES, validateUNetConfig, type UNetConfig } from './unet-config.ts';

interface ConvBn {
  weight: tf.Variable; // [3, 3, in, out]
  bn: BatchNorm;
}

interface DecoderLevel {
  /** 'transpose': [2, 2, out, in] (tfjs's conv2dTranspose layout); resize-conv: [3, 3, in, out]. */
  up: tf.Variable;
  upBn: BatchNorm;
  convs: [ConvBn, ConvBn];
}

export interface UNetOptions {
  /** How 3x3 convolutions are computed; default by backend at each call (im2col on 'cpu', else tf.conv2d). */
  convImpl?: ConvImpl;
}

export class UNet extends ParamModel {
  readonly config: UNetConfig;
  readonly params: ParamStore;
  private readonly encoder: [ConvBn, ConvBn][] = [];
  /** decoder[i] produces level i (so it is used from depth - 1 down to 0). */
  private readonly decoder: DecoderLevel[] = [];
  private readonly headWeight: tf.Variable; // [baseWidth, 2]
  private readonly headBias: tf.Variable; // [2]
  private readonly patches = new PatchKernels();
  private readonly convImpl: ConvImpl | undefined;

  constructor(config: UNetConfig, options: UNetOptions = {}) {
    super('UNet');
    validateUNetConfig(config);
    this.config = config;
    this.convImpl = options.convImpl;
    const store = (this.params = new ParamStore(config.seed));
    const bnOpts = { momentum: config.bnMomentum, epsilon: config.bnEpsilon };
    const conv3 = (key: string, bnKey: string, cin: number, cout: number): ConvBn => ({
      weight: store.normal(`${key}.weight`, [3, 3, cin, cout], Math.sqrt(2 / (9 * cout))),
      bn: createBatchNorm(store, bnKey, cout, bnOpts),
    });

    let cin: number = config.channels;
    for (let i = 0; i <= config.depth; i++) {
      const w = levelWidth(config, i);
      this.encoder.push([conv3(`enc${i}.conv1`, `enc${i}.bn1`, cin, w), conv3(`enc${i}.conv2`, `enc${i}.bn2`, w, w)]);
      cin = w;
    }
    for (let i = 0; i < config.depth; i++) {
      const w = levelWidth(config, i);
      const below = levelWidth(config, i + 1);
      const up =
        config.decoder === 'transpose'
          ? store.normal(`dec${i}.up.weight`, [2, 2, w, below], Math.sqrt(2 / below))
          : store.normal(`dec${i}.up.weight`, [3, 3, below, w], Math.sqrt(2 / (9 * w)));
      this.decoder.push({
        up,
        upBn: createBatchNorm(store, `dec${i}.up_bn`, w, bnOpts),
        convs: [conv3(`dec${i}.conv1`, `dec${i}.bn1`, 2 * w, w), conv3(`dec${i}.conv2`, `dec${i}.bn2`, w, w)],
      });
    }
    const w0 = config.baseWidth;
    this.headWeight = store.normal('head.weight', [w0, UNET_CLASSES], 1 / Math.sqrt(w0));
    this.headBias = store.constant('head.bias', [UNET_CLASSES], 0);
  }

  /**
   * Logits [B, S, S, 2] for images [B, S, S, C] in [-1, 1]. training = true uses batch statistics in batch
   * norm and updates its running averages (a side effect, as PyTorch's train mode); false uses the running
   * averages and changes nothing. Differentiable; intermediates are tidied.
   */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    this.checkAlive();
    const { channels, inputSize } = this.config;
    const [, h, w, c] = x.shape;
    if (c !== channels || h !== inputSize || w !== inputSize) {
      throw new Error(`UNet: expected [B, ${inputSize}, ${inputSize}, ${channels}] images, got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const impl = this.convImpl ?? defaultConvImpl();
      const convBnRelu = (layer: ConvBn, y: tf.Tensor4D): tf.Tensor4D =>
        tf.relu(batchNorm(layer.bn, convPadded(y, layer.weight as tf.Tensor4D, 1, impl, this.patches), training));
      const block = (pair: [ConvBn, ConvBn], y: tf.Tensor4D): tf.Tensor4D => convBnRelu(pair[1], convBnRelu(pair[0], y));

      const skips: tf.Tensor4D[] = [];
      let y = x;
      this.encoder.forEach((pair, i) => {
        if (i > 0) y = tf.maxPool(y, 2, 2, 'valid');
        y = block(pair, y);
        skips.push(y);
      });
      for (let i = this.config.depth - 1; i >= 0; i--) {
        const level = this.decoder[i] as DecoderLevel;
        const up =
          this.config.decoder === 'transpose'
            ? transposedConv2x2(y, level.up as tf.Tensor4D)
            : convPadded(upsample2x(y, this.config.decoder === 'resize-nearest' ? 'nearest' : 'bilinear'), level.up as tf.Tensor4D, 1, impl, this.patches);
        y = tf.relu(batchNorm(level.upBn, up, training));
        y = block(level.convs, tf.concat([y, skips[i] as tf.Tensor4D], 3));
      }
      const [b, s, , w0] = y.shape;
      const m = b * s * s;
      const logits = tf.add(tf.matMul(tf.reshape(y, [m, w0]), this.headWeight as tf.Tensor2D), broadcastRows(this.headBias, m));
      return tf.reshape(logits, [b, s, s, UNET_CLASSES]);
    });
  }

  protected override disposeOwned(): void {
    this.patches.dispose();
  }


}

/**
 * tf.conv2dTranspose(x, w, [B, 2H, 2W, Cout], 2, 'valid') for a 2x2 kernel w [2, 2, Cout, Cin]:
 * out[b, 2h + dy, 2w + dx, o] = sum_c x[b, h, w, c] w[dy, dx, o, c], as one matMul and a pixel shuffle.
 */
export function transposedConv2x2(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const [b, h, wd, cin] = x.shape;
  const [k1, k2, cout, wcin] = w.shape;
  if (k1 !== 2 || k2 !== 2 || wcin !== cin) throw new Error(`transposedConv2x2: weight [${w.shape.join(', ')}] for ${cin} input channels`);
  return tf.tidy(() => {
    const wm = tf.reshape(tf.transpose(w, [3, 0, 1, 2]), [cin, 4 * cout]); // columns ordered (dy, dx, o)
    // Rows (b, h), then (w, dy, (dx, o)) -> (dy, w, (dx, o)): a rank-4 transpose (native vec4 indexing on
    // WebGPU; a rank-6 one also works but goes through its emulated vec6 path).
    const taps = tf.reshape(tf.matMul(tf.reshape(x, [b * h * wd, cin]), wm), [b * h, wd, 2, 2 * cout]);
    return tf.reshape(tf.transpose(taps, [0, 2, 1, 3]), [b, 2 * h, 2 * wd, cout]);
  });
}

/** Interleave two [B, H, W, C] tensors along `axis` (1 or 2): a, b, a, b, ... -> twice as long. */
function interleave(a: tf.Tensor4D, b: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const [n, h, w, c] = a.shape;
  if (axis === 2) return tf.reshape(tf.stack([a, b], 3), [n, h, 2 * w, c]);
  return tf.reshape(tf.stack([a, b], 2), [n, 2 * h, w, c]);
}

/**
 * x2 upsampling of [B, H, W, C]. 'nearest': every pixel repeated 2x2. 'bilinear': half-pixel centres with
 * the edge repeated (PyTorch's align_corners=False, tf.image.resizeBilinear(.., halfPixelCenters = true)):
 * along each axis output 2i = 0.75 x[i] + 0.25 x[i - 1] and 2i + 1 = 0.75 x[i] + 0.25 x[i + 1].
 */
export function upsample2x(x: tf.Tensor4D, mode: 'nearest' | 'bilinear'): tf.Tensor4D {
  return tf.tidy(() => {
    if (mode === 'nearest') return interleave(interleave(x, x, 1), interleave(x, x, 1), 2);
    const along = (y: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D => {
      const n = y.shape[axis];
      const first = [0, 0, 0, 0];
      const size = (len: number): number[] => (axis === 1 ? [-1, len, -1, -1] : [-1, -1, len, -1]);
      const at = (start: number): number[] => (axis === 1 ? [0, start, 0, 0] : [0, 0, start, 0]);
      const prev = n === 1 ? y : tf.concat([tf.slice(y, first, size(1)), tf.slice(y, first, size(n - 1))], axis);
      const next = n === 1 ? y : tf.concat([tf.slice(y, at(1), size(n - 1)), tf.slice(y, at(n - 1), size(1))], axis);
      const even = tf.add(tf.mul(y, 0.75), tf.mul(prev, 0.25)) as tf.Tensor4D;
      const odd = tf.add(tf.mul(y, 0.75), tf.mul(next, 0.25)) as tf.Tensor4D;
      return interleave(even, odd, axis);
    };
    return along(along(x, 1), 2);
  });
}
