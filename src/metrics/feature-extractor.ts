/**
 * The feature extractor behind the synthesis-quality numbers (FD, KID, nearest neighbours).
 *
 * FID proper uses Inception-v3 pool features, but Inception's weights cannot be fetched here, so the app trains
 * a small CNN on the user's own real training split and reports "FD (classifier features)". The numbers are
 * therefore only comparable between runs that use the same extractor (same data, seed, config), never with
 * published FID values.
 *
 * Architecture (NHWC, input [N, R, R, C] in [-1, 1], any R; R 28..64 intended):
 *   L blocks of conv3x3 (stride 2, padding 1) -> ReLU, then global average pool -> D-d embedding (D = last
 *   width), then a linear head. Stride-2 convolutions in every block keep the cost low (and see conv3x3s2 for
 *   why not tf.conv2d).
 * Normalisation: scaled weight standardisation (Brock et al. 2021, "normalizer-free" ResNets) instead of an
 *   activation norm. Like group norm it does not depend on the batch (an image's embedding is the same
 *   whatever shares its batch, so embed() batches freely; no running statistics), but it normalises the small
 *   weight tensors instead of every activation: group norm's broadcast reductions were ~60 % of a CPU
 *   training step here.
 *
 * Training task:
 *   - labelled data (numClasses >= 2): supervised classification of the real classes.
 *   - a single class (e.g. an unlabelled segmentation set): self-supervised rotation prediction (Gidaris et
 *     al. 2018): each image is rotated by k * 90 degrees and the head predicts k (4 classes). Features that
 *     tell orientation must encode anatomy layout, which is what a generator has to get right.
 * Augmentation: random horizontal flip and a small integer shift (reflect padding), per sample.
 * Determinism: weights are drawn on the CPU from seeded PRNGs and batch order / augmentation come from seeded
 * streams, so a seed gives the same extractor on a given backend (no Math.random anywhere).
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, gaussian, mulberry32, shuffleInPlace } from '../data/rng.ts';

export type ExtractorTask = 'classes' | 'rotation';

export interface FeatureExtractorConfig {
  /** Input channels (1 grey, 3 RGB). */
  channels: number;
  /** Output channels per conv block; the last is the embedding size D. */
  widths: number[];
  /** What the head predicts. */
  task: ExtractorTask;
  /** Head size: numClasses for 'classes', 4 for 'rotation'. */
  headClasses: number;
}

/**
 * Default widths: 4 blocks, 128-d features, about 0.1 M parameters at C = 1. Narrow early blocks because the
 * CPU backend's matMul (~0.3 GMAC/s) sets the training time in Node and on CPU-only browsers; the embedding
 * stays 128-d, which is what FD/KID see.
 */
export const DEFAULT_WIDTHS: readonly number[] = [16, 32, 64, 128];

/** One stored weight: its shape and values (row-major, as tfjs lays them out). */
export interface WeightArray {
  shape: number[];
  values: Float32Array;
}
export type WeightRecord = Record<string, WeightArray>;

/** What the extractor was trained on, for describe() and reports. */
export interface ExtractorTrainingInfo {
  nImages: number;
  numClasses: number;
  epochs: number;
  /** Mean training loss and accuracy (on augmented batches) of the last epoch. */
  finalLoss: number;
  finalAccuracy: number;
  seed: number;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
}

export interface TrainExtractorOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  lr: number;
  onEpoch?: (report: EpochReport) => void | Promise<void>;
  /** Override the task; 'auto' (default) = 'classes' when numClasses >= 2, else 'rotation'. */
  task?: ExtractorTask | 'auto';
  widths?: number[];
  /** Largest shift in pixels for augmentation; default round(R / 16) (2 px at 32). */
  maxShift?: number;
  /** Checked between batches; training stops early (the partly trained extractor is returned). */
  shouldStop?: () => boolean;
}

/** Images per forward pass in embed(): bounds activation memory on big sets. */
const EMBED_BATCH = 256;
/** Added to the weight variance in weight standardisation. */
const WS_EPS = 1e-4;
/** sqrt(2 / (1 - 1/pi)): keeps a ReLU layer's output at unit second moment given unit-variance inputs. */
const RELU_GAIN = Math.sqrt(2 / (1 - 1 / Math.PI));

interface Params {
  convW: tf.Variable[];
  convB: tf.Variable[];
  /** Per-output-channel gain after standardisation (init 1). */
  gain: tf.Variable[];
  headW: tf.Variable;
  headB: tf.Variable;
}

/** A variable from an initial value made inside a tidy, so the initial tensor itself is not left behind. */
function variableOf(make: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(make()));
}

/** Seeded normal weights drawn on the CPU so they do not depend on the backend's RNG. */
function normalArray(size: number, std: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = gaussian(rand) * std;
  return out;
}

/** One-hot [3, 3, c, 9] depthwise kernel: output channel c * 9 + k copies tap k = 3 * dy + dx of channel c. */
function patchKernel(c: number): tf.Tensor4D {
  const e = new Float32Array(9 * c * 9);
  for (let k = 0; k < 9; k++) for (let ch = 0; ch < c; ch++) e[k * c * 9 + ch * 9 + k] = 1;
  return tf.tensor4d(e, [3, 3, c, 9]);
}

/**
 * 3x3 convolution, stride 2, padding 1 (output ceil(H/2) x ceil(W/2)) as im2col + matMul, with the im2col done
 * by a depthwise convolution with a fixed one-hot kernel. Why not tf.conv2d: the CPU backend's
 * Conv2DBackpropFilter (the weight gradient) is ~15x slower than this route at these sizes (4.5 s vs ~0.3 s for
 * a 16x16x32 -> 64 layer at batch 16), which made training unusable in Node and on the CPU fallback; this
 * needs only a depthwise input-gradient and matMul gradients. The weight is [9 * cin, cout], rows ordered
 * (cin, dy, dx) to match the depthwise output channels.
 */
function conv3x3s2(x: tf.Tensor4D, w: tf.Tensor2D, bias: tf.Tensor1D, patches: tf.Tensor4D): tf.Tensor4D {
  const cols = tf.depthwiseConv2d(x, patches, 2, 1);
  const [n, ho, wo, k] = cols.shape;
  const m = n * ho * wo;
  const y = tf.add(tf.matMul(tf.reshape(cols, [m, k]), w), broadcastRows(bias, m));
  return tf.reshape(y, [n, ho, wo, w.shape[1]]);
}

/**
 * Broadcast a row vector [cout] to [n, cout] as ones[n, 1] x v[1, cout]. Why a matMul: the CPU backend
 * computes an index per element for broadcasting binary ops (~10x slower than same-shape ones), and that,
 * not the convolutions, dominated a training step; the matMul and its gradient (a column sum) are cheap.
 */
function broadcastRows(v: tf.Tensor, n: number): tf.Tensor2D {
  return tf.matMul(tf.ones([n, 1]), tf.reshape(v, [1, -1]));
}

/** Column means of [n, c] as [1, c], by matMul for the same reason (axis-0 reductions transpose first). */
function columnMean(x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.fill([1, x.shape[0]], 1 / x.shape[0]), x);
}

/**
 * Scaled weight standardisation of a [fan_in, cout] weight: per output channel, zero mean and variance
 * 1 / fan_in, times the ReLU gain and a learned gain. Cheap (weights only) and batch-independent.
 */
function standardise(w: tf.Tensor2D, gain: tf.Tensor1D): tf.Tensor2D {
  const [fanIn] = w.shape;
  const centred = tf.sub(w, broadcastRows(columnMean(w), fanIn));
  const variance = columnMean(tf.square(centred) as tf.Tensor2D);
  const scale = tf.mul(tf.rsqrt(tf.mul(tf.add(variance, WS_EPS), fanIn)), tf.mul(tf.reshape(gain, [1, -1]), RELU_GAIN));
  return tf.mul(centred, broadcastRows(scale, fanIn)) as tf.Tensor2D;
}

export class FeatureExtractor {
  private readonly params: Params;
  /** Fixed im2col kernels, one per block input width (constants, not weights). */
  private readonly patches: tf.Tensor4D[];
  private disposed = false;
  /** Set by trainFeatureExtractor (or by the caller after setWeights, from stored metadata). */
  info: ExtractorTrainingInfo | null = null;

  constructor(
    readonly config: FeatureExtractorConfig,
    seed: number,
  ) {
    const { channels, widths, headClasses } = config;
    if (widths.length === 0) throw new Error('FeatureExtractor: widths must not be empty');
    const convW: tf.Variable[] = [];
    const convB: tf.Variable[] = [];
    const gain: tf.Variable[] = [];
    let cin = channels;
    widths.forEach((cout, i) => {
      // He init for a ReLU network: std = sqrt(2 / fan_in).
      const std = Math.sqrt(2 / (9 * cin));
      // Stored as [9 * cin, cout], rows (cin, dy, dx), for the im2col matMul (see conv3x3s2).
      const values = normalArray(9 * cin * cout, std, deriveSeed(seed, 1, i));
      convW.push(variableOf(() => tf.tensor2d(values, [9 * cin, cout])));
      convB.push(variableOf(() => tf.zeros([cout])));
      gain.push(variableOf(() => tf.ones([cout])));
      cin = cout;
    });
    const headValues = normalArray(cin * headClasses, 1 / Math.sqrt(cin), deriveSeed(seed, 2));
    const headW = variableOf(() => tf.tensor2d(headValues, [cin, headClasses]));
    const headB = variableOf(() => tf.zeros([headClasses]));
    this.params = { convW, convB, gain, headW, headB };
    this.patches = [channels, ...widths.slice(0, -1)].map((c) => patchKernel(c));
  }

  /** Embedding size D. */
  get dim(): number {
    const d = this.config.widths[this.config.widths.length - 1];
    if (d === undefined) throw new Error('unreachable: empty widths');
    return d;
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.variables().reduce((n, v) => n + v.size, 0);
  }

  /** Trainable variables in a fixed order (optimizer var list, weights record). */
  variables(): tf.Variable[] {
    const p = this.params;
    return [...p.convW, ...p.convB, ...p.gain, p.headW, p.headB];
  }

  /** Penultimate features for one batch (no internal batching). Differentiable; intermediates are tidied. */
  features(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.forwardFeatures(x));
  }

  /** Head logits for one batch (training loss, or class predictions for 'classes'). Tidied like features(). */
  logits(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const f = this.forwardFeatures(x);
      return tf.add(tf.matMul(f, this.params.headW), broadcastRows(this.params.headB, f.shape[0]));
    });
  }

  private forwardFeatures(x: tf.Tensor4D): tf.Tensor2D {
    const p = this.params;
    let h: tf.Tensor4D = x;
    for (let i = 0; i < p.convW.length; i++) {
      const raw = p.convW[i] as tf.Tensor2D;
      const gain = p.gain[i] as tf.Tensor1D;
      // The first block sees the raw image (fixed [-1, 1] scale): no standardisation there, because a
      // zero-mean filter over a grey image would discard absolute brightness, which matters for medical images.
      const w = i === 0 ? (tf.mul(raw, broadcastRows(gain, raw.shape[0])) as tf.Tensor2D) : standardise(raw, gain);
      h = tf.relu(conv3x3s2(h, w, p.convB[i] as tf.Tensor1D, this.patches[i] as tf.Tensor4D));
    }
    return tf.mean(h, [1, 2]) as tf.Tensor2D;
  }

  /** Embeddings [N, D] of a whole set, computed EMBED_BATCH images at a time to bound memory. */
  embed(images: tf.Tensor4D): tf.Tensor2D {
    this.checkInput(images);
    const n = images.shape[0];
    if (n <= EMBED_BATCH) return tf.tidy(() => this.features(images));
    const parts: tf.Tensor2D[] = [];
    for (let start = 0; start < n; start += EMBED_BATCH) {
      const size = Math.min(EMBED_BATCH, n - start);
      parts.push(tf.tidy(() => this.features(tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]))));
    }
    const out = tf.concat(parts, 0);
    for (const t of parts) t.dispose();
    return out;
  }

  /** embed() read back to the CPU as a flat [N x D] array (what frechet/kid/memorisation take). */
  async embedToArray(images: tf.Tensor4D): Promise<Float32Array> {
    const e = this.embed(images);
    try {
      return (await e.data()) as Float32Array;
    } finally {
      e.dispose();
    }
  }

  describe(): string {
    const { widths, task } = this.config;
    const arch = `${widths.length}-layer CNN (conv3x3 stride 2, weight-standardised, ReLU; widths ${widths.join('-')}; ${this.parameterCount()} parameters)`;
    const what = task === 'rotation' ? 'self-supervised rotation prediction (0/90/180/270 degrees)' : 'classifying the real classes';
    const on = this.info
      ? `trained from scratch on ${this.info.nImages} real training images by ${what}, ${this.info.epochs} epochs, seed ${this.info.seed}`
      : `trained by ${what}`;
    return `${arch} ${on}; ${this.dim}-d global-average-pooled penultimate features`;
  }

  /** A copy of every trainable weight, keyed by a stable name (for IndexedDB). */
  async getWeights(): Promise<WeightRecord> {
    const out: WeightRecord = {};
    for (const [key, v] of this.namedVariables()) {
      out[key] = { shape: [...v.shape], values: new Float32Array((await v.data()) as Float32Array) };
    }
    return out;
  }

  /** Load weights saved by getWeights() into an extractor built with the same config. */
  setWeights(weights: WeightRecord): void {
    const named = this.namedVariables();
    for (const [key, v] of named) {
      const w = weights[key];
      if (!w) throw new Error(`FeatureExtractor.setWeights: missing ${key}`);
      if (w.shape.length !== v.shape.length || w.shape.some((s, i) => s !== v.shape[i]) || w.values.length !== v.size) {
        throw new Error(`FeatureExtractor.setWeights: ${key} has shape [${w.shape}], expected [${v.shape}]`);
      }
    }
    tf.tidy(() => {
      for (const [key, v] of named) {
        const w = weights[key] as WeightArray;
        // Copied: the CPU backend would otherwise keep a reference to the caller's array.
        v.assign(tf.tensor(Float32Array.from(w.values), w.shape));
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables()) v.dispose();
    for (const t of this.patches) t.dispose();
  }

  private namedVariables(): [string, tf.Variable][] {
    const p = this.params;
    const out: [string, tf.Variable][] = [];
    p.convW.forEach((v, i) => {
      out.push([`block${i}.conv.weight`, v]);
      out.push([`block${i}.conv.bias`, p.convB[i] as tf.Variable]);
      out.push([`block${i}.conv.gain`, p.gain[i] as tf.Variable]);
    });
    out.push(['head.weight', p.headW], ['head.bias', p.headB]);
    return out;
  }

  private checkInput(images: tf.Tensor4D): void {
    if (this.disposed) throw new Error('FeatureExtractor: used after dispose()');
    if (images.shape[3] !== this.config.channels) {
      throw new Error(`FeatureExtractor: expected ${this.config.channels} channels, got ${images.shape[3]}`);
    }
  }
}

/** Rebuild a stored extractor: its config, its getWeights() record and (optionally) its training info. */
export function restoreFeatureExtractor(
  config: FeatureExtractorConfig,
  weights: WeightRecord,
  info: ExtractorTrainingInfo | null = null,
): FeatureExtractor {
  const model = new FeatureExtractor(config, 0);
  try {
    model.setWeights(weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.info = info;
  return model;
}

/** Rotate one HWC image by k * 90 degrees (square images). */
function rot90(img: tf.Tensor3D, k: number): tf.Tensor3D {
  switch (k & 3) {
    case 0:
      return img;
    case 1:
      return tf.reverse(tf.transpose(img, [1, 0, 2]), 0);
    case 2:
      return tf.reverse(img, [0, 1]);
    default:
      return tf.reverse(tf.transpose(img, [1, 0, 2]), 1);
  }
}

/**
 * Augment a batch per sample: optional horizontal flip, an integer shift within +-maxShift (reflect padding),
 * and for the rotation task a rotation by rotations[i] * 90 degrees (applied last, so the label is exact).
 */
function augmentBatch(
  xb: tf.Tensor4D,
  rand: () => number,
  maxShift: number,
  rotations: Int32Array | null,
): tf.Tensor4D {
  const [n, h, w] = xb.shape;
  const s = maxShift;
  const padded = s > 0 ? tf.mirrorPad(xb, [[0, 0], [s, s], [s, s], [0, 0]], 'reflect') : xb;
  const samples: tf.Tensor3D[] = [];
  for (let i = 0; i < n; i++) {
    const dy = s > 0 ? Math.floor(rand() * (2 * s + 1)) : 0;
    const dx = s > 0 ? Math.floor(rand() * (2 * s + 1)) : 0;
    const flip = rand() < 0.5;
    let img = tf.reshape(tf.slice(padded, [i, dy, dx, 0], [1, h, w, -1]), [h, w, xb.shape[3]]) as tf.Tensor3D;
    if (flip) img = tf.reverse(img, 1);
    if (rotations) img = rot90(img, rotations[i] ?? 0);
    samples.push(img);
  }
  return tf.stack(samples) as tf.Tensor4D;
}

/**
 * Train a feature extractor from scratch on real images [N, R, R, C] in [-1, 1] with integer labels.
 * Adam (betas 0.9 / 0.999, explicit epsilon 1e-7 because tfjs's default becomes 1e-4 on WebGL), softmax
 * cross-entropy, seeded init / batch order / augmentation. Leaves no tensors behind but the extractor's own.
 */
export async function trainFeatureExtractor(
  images: tf.Tensor4D,
  labels: Int32Array | Uint8Array,
  numClasses: number,
  opts: TrainExtractorOptions,
): Promise<FeatureExtractor> {
  const [n, h, w, c] = images.shape;
  if (labels.length !== n) throw new Error(`trainFeatureExtractor: ${labels.length} labels for ${n} images`);
  if (n < 2) throw new Error('trainFeatureExtractor: need at least 2 images');
  const task: ExtractorTask = !opts.task || opts.task === 'auto' ? (numClasses >= 2 ? 'classes' : 'rotation') : opts.task;
  if (task === 'rotation' && h !== w) throw new Error('trainFeatureExtractor: rotation task needs square images');
  if (task === 'classes') {
    if (numClasses < 2) throw new Error('trainFeatureExtractor: the classes task needs at least 2 classes');
    for (const l of labels) if (l < 0 || l >= numClasses) throw new Error(`trainFeatureExtractor: label ${l} outside [0, ${numClasses})`);
  }
  const headClasses = task === 'rotation' ? 4 : numClasses;
  const config: FeatureExtractorConfig = {
    channels: c,
    widths: [...(opts.widths ?? DEFAULT_WIDTHS)],
    task,
    headClasses,
  };
  const model = new FeatureExtractor(config, deriveSeed(opts.seed, 100));
  const maxShift = opts.maxShift ?? Math.round(Math.min(h, w) / 16);
  const batchSize = Math.max(1, Math.min(opts.batchSize, n));
  const optimizer = tf.train.adam(opts.lr, 0.9, 0.999, 1e-7);
  const varList = model.variables();
  let last: EpochReport = { epoch: 0, epochs: opts.epochs, loss: NaN, accuracy: NaN };
  let epochsDone = 0;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = new Int32Array(n).map((_, i) => i);
      shuffleInPlace(order, mulberry32(deriveSeed(opts.seed, 200, epoch)));
      const rand = mulberry32(deriveSeed(opts.seed, 300, epoch));
      // Running sums on the device, added batch by batch: one readback per epoch, and no AddN over all the
      // batches (a WebGPU program takes at most maxStorageBuffersPerShaderStage inputs, often 8; beyond that
      // tfjs's AddN pipeline is invalid and its result garbage).
      let sums: tf.Tensor1D = tf.zeros([2]);
      let seen = 0;
      try {
        for (let start = 0; start < n; start += batchSize) {
          if (opts.shouldStop?.()) break;
          const idx = order.slice(start, Math.min(n, start + batchSize));
          const rotations = task === 'rotation' ? idx.map(() => Math.floor(rand() * 4)) : null;
          const target = rotations ?? Int32Array.from(idx, (i) => labels[i] ?? 0);
          const { cost, correct } = tf.tidy(() => {
            const xb = augmentBatch(tf.gather(images, tf.tensor1d(idx, 'int32')), rand, maxShift, rotations);
            const yIdx = tf.tensor1d(target, 'int32');
            const yb = tf.oneHot(yIdx, headClasses);
            const box: { correct?: tf.Scalar } = {};
            const cost = optimizer.minimize(
              () => {
                const logits = model.logits(xb);
                // Kept out of the gradient tape's scope so accuracy costs no extra forward pass.
                box.correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), yIdx), 'float32')) as tf.Scalar);
                return tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar;
              },
              true,
              varList,
            );
            if (!cost || !box.correct) throw new Error('unreachable: minimize returned no cost');
            return { cost: tf.mul(cost, idx.length) as tf.Scalar, correct: box.correct };
          });
          const next = tf.tidy(() => tf.add(sums, tf.stack([cost, correct])) as tf.Tensor1D);
          for (const t of [sums, cost, correct]) t.dispose();
          sums = next;
          seen += idx.length;
        }
        if (seen > 0) {
          const [lossSum = NaN, correctSum = NaN] = await sums.data();
          last = { epoch: epoch + 1, epochs: opts.epochs, loss: lossSum / seen, accuracy: correctSum / seen };
          epochsDone = epoch + 1;
        }
      } finally {
        sums.dispose(); // also when a batch throws
      }
      if (seen > 0) await opts.onEpoch?.(last);
      if (opts.shouldStop?.()) break;
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
  model.info = {
    nImages: n,
    numClasses,
    epochs: epochsDone,
    finalLoss: last.loss,
    finalAccuracy: last.accuracy,
    seed: opts.seed,
  };
  return model;
}
