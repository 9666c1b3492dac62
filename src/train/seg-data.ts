/**
 * An image + mask split as the segmenter trainer takes it: uint8 pixels in the store's layout
 * (N x size x size x channels, row-major), one uint8 0/1 mask per image (N x size x size), and optional
 * per-image loss weights (confidence-weighted pseudo-labels; real images weigh 1). Batches are converted to
 * float tensors one at a time, images to [-1, 1] as for the classifier and the generators (classifier-data.ts
 * says why batches are built on the CPU side rather than sliced from a preloaded tensor).
 */
import * as tf from '@tensorflow/tfjs';

export interface MaskSplit {
  images: Uint8Array;
  /** 0/1 per pixel, N x size x size. */
  masks: Uint8Array;
  size: number;
  channels: 1 | 3;
  /** Loss weight per image (>= 0), or absent for all 1. */
  weights?: Float32Array | null;
}

/** Images without masks (what predictMasks takes). */
export interface ImageStack {
  images: Uint8Array;
  size: number;
  channels: 1 | 3;
}

/** Number of images of a stack, after checking its byte count. */
export function stackLength(s: ImageStack): number {
  const px = s.size * s.size * s.channels;
  if (!(s.size > 0) || s.images.length % px !== 0) throw new Error(`image stack: ${s.images.length} bytes is not a whole number of ${s.size}x${s.size}x${s.channels} images`);
  return s.images.length / px;
}

/** Number of images, after checking that pixels, masks (0/1 only) and weights agree. */
export function maskSplitLength(s: MaskSplit): number {
  const n = stackLength(s);
  if (s.masks.length !== n * s.size * s.size) throw new Error(`mask split: ${s.masks.length} mask pixels for ${n} images of ${s.size}x${s.size}`);
  for (let i = 0; i < s.masks.length; i++) {
    if ((s.masks[i] as number) > 1) throw new Error(`mask split: mask values must be 0 or 1, found ${s.masks[i]} at pixel ${i}`);
  }
  if (s.weights) {
    if (s.weights.length !== n) throw new Error(`mask split: ${s.weights.length} weights for ${n} images`);
    if (s.weights.some((w) => !(w >= 0) || !Number.isFinite(w))) throw new Error('mask split: weights must be finite and >= 0');
  }
  return n;
}

/** Rows of `stride` bytes at `indices`, copied into one array (a batch's images or masks). */
export function gatherRows(src: Uint8Array, stride: number, indices: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(indices.length * stride);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    out.set(src.subarray(i * stride, (i + 1) * stride), k * stride);
  }
  return out;
}

/** uint8 pixels of n images -> [n, size, size, channels] float32 in [-1, 1]. */
export function imagesToTensor(pixels: Uint8Array, n: number, size: number, channels: number): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(Float32Array.from(pixels), [n, size, size, channels]), 127.5), 1));
}

/** uint8 0/1 masks of n images -> [n, size, size] float32. */
export function masksToTensor(masks: Uint8Array, n: number, size: number): tf.Tensor3D {
  return tf.tensor3d(Float32Array.from(masks), [n, size, size]);
}

/** Images at `indices` as [B, size, size, channels] float32 in [-1, 1]. */
export function batchStackImages(s: ImageStack, indices: ArrayLike<number>): tf.Tensor4D {
  return imagesToTensor(gatherRows(s.images, s.size * s.size * s.channels, indices), indices.length, s.size, s.channels);
}

/** Masks at `indices` as [B, size, size] float32 0/1. */
export function batchMasks(s: MaskSplit, indices: ArrayLike<number>): tf.Tensor3D {
  return masksToTensor(gatherRows(s.masks, s.size * s.size, indices), indices.length, s.size);
}

/** Weights at `indices` as [B], or null when the split has none. */
export function batchWeights(s: MaskSplit, indices: ArrayLike<number>): tf.Tensor1D | null {
  const w = s.weights;
  if (!w) return null;
  return tf.tensor1d(Float32Array.from({ length: indices.length }, (_, k) => w[indices[k] as number] as number));
}

/**
 * Two splits of the same size and channels as one (e.g. real + pseudo-labelled). When either has weights the
 * result has weights, the other's images weighing 1.
 */
export function concatMaskSplits(a: MaskSplit, b: MaskSplit): MaskSplit {
  if (a.size !== b.size || a.channels !== b.channels) throw new Error(`concatMaskSplits: ${a.size}x${a.size}x${a.channels} and ${b.size}x${b.size}x${b.channels} images`);
  const na = maskSplitLength(a);
  const nb = maskSplitLength(b);
  const join = (x: Uint8Array, y: Uint8Array): Uint8Array => {
    const out = new Uint8Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  let weights: Float32Array | null = null;
  if (a.weights || b.weights) {
    weights = new Float32Array(na + nb).fill(1);
    if (a.weights) weights.set(a.weights);
    if (b.weights) weights.set(b.weights, na);
  }
  return { images: join(a.images, b.images), masks: join(a.masks, b.masks), size: a.size, channels: a.channels, weights };
}
