/**
 * The real images a class generator learns from: one class's training split, as a float tensor in [-1, 1]
 * at the generator's resolution. Exact integer downscales average pixel blocks (no aliasing); other sizes
 * (e.g. MedMNIST's 28 px up to 32) are resampled bilinearly.
 */
import * as tf from '@tensorflow/tfjs';
import { SPLIT_CODE } from '../data/types.ts';
import type { DatasetArraysMessage } from '../worker/protocol.ts';

/** Indices of the training images of a class (or of all classes when classIndex is null). */
export function classTrainIndices(a: DatasetArraysMessage, classIndex: number | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.labels.length; i++) {
    if (a.splits[i] === SPLIT_CODE.train && (classIndex === null || a.labels[i] === classIndex)) out.push(i);
  }
  return out;
}

/** Selected images as [N, R, R, C] float32 in [-1, 1]. */
export function imagesTensor(a: DatasetArraysMessage, indices: number[], resolution: number): tf.Tensor4D {
  const { size, channels } = a.meta;
  const px = size * size * channels;
  const raw = new Uint8Array(indices.length * px);
  indices.forEach((idx, k) => raw.set(a.images.subarray(idx * px, (idx + 1) * px), k * px));
  return tf.tidy(() => resizeSquare(tf.tensor4d(raw, [indices.length, size, size, channels], 'int32').toFloat().div(127.5).sub(1) as tf.Tensor4D, resolution));
}

/**
 * Square images [N, S, S, C] brought to side `resolution`: exact integer downscales average pixel blocks
 * (no aliasing); other sizes (28 -> 32 up, 32 -> 28 down) are resampled bilinearly with aligned corners, so going up and back down
 * maps corner pixels onto corner pixels both ways (generators learn upscaled images; their samples come back down).
 */
export function resizeSquare(x: tf.Tensor4D, resolution: number): tf.Tensor4D {
  const size = x.shape[1];
  if (size === resolution) return x;
  return tf.tidy(() => {
    if (size > resolution && size % resolution === 0) {
      const f = size / resolution;
      return tf.avgPool(x, f, f, 'valid') as tf.Tensor4D;
    }
    return tf.image.resizeBilinear(x, [resolution, resolution], true);
  });
}

/** [N, R, R, C] in [-1, 1] -> uint8 pixels, for display and export. */
export async function toPixels(images: tf.Tensor4D): Promise<Uint8Array> {
  const t = tf.tidy(() => images.add(1).mul(127.5).round().clipByValue(0, 255).toInt());
  const data = await t.data();
  t.dispose();
  return Uint8Array.from(data);
}
