/**
 * A labelled image split as the classifier trainer takes it: uint8 pixels in the store's layout
 * (N x size x size x channels, row-major), one class index per image. Batches are converted to float tensors
 * in [-1, 1] (the app's convention, as for the generators) one at a time.
 *
 * Why batches are built on the CPU side instead of slicing one preloaded float tensor: an enlarged training
 * set (real + synthetic) can be several times the real one, float32 on the device is 4x the uint8 bytes, and
 * a batch upload (32 x 28 x 28 bytes) is negligible next to a training step.
 */
import * as tf from '@tensorflow/tfjs';

export interface ImageSplit {
  images: Uint8Array;
  labels: Uint8Array;
  size: number;
  channels: 1 | 3;
}

/** Number of images, after checking that pixels and labels agree. */
export function splitLength(s: ImageSplit): number {
  const n = s.labels.length;
  const px = s.size * s.size * s.channels;
  if (s.images.length !== n * px) throw new Error(`image split: ${s.images.length} bytes for ${n} images of ${s.size}x${s.size}x${s.channels}`);
  return n;
}

/** Images at `indices` as [B, size, size, channels] float32 in [-1, 1]. */
export function batchImages(s: ImageSplit, indices: ArrayLike<number>): tf.Tensor4D {
  const px = s.size * s.size * s.channels;
  const raw = new Float32Array(indices.length * px);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    raw.set(s.images.subarray(i * px, (i + 1) * px), k * px);
  }
  return tf.tidy(() => tf.sub(tf.div(tf.tensor4d(raw, [indices.length, s.size, s.size, s.channels]), 127.5), 1));
}

/** Labels at `indices` as an int32 tensor [B]. */
export function batchLabels(s: ImageSplit, indices: ArrayLike<number>): tf.Tensor1D {
  return tf.tensor1d(Int32Array.from({ length: indices.length }, (_, k) => s.labels[indices[k] as number] as number), 'int32');
}
