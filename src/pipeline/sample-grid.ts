/**
 * Samples from a generator for display: a fixed set of latents per run (derived from its seed), so the grid
 * shows the same "people" improving over training, and arbitrary seeds for galleries and interpolation.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/rng.ts';
import type { Generator } from '../models/generator.ts';
import { toPixels } from './class-images.ts';

export interface SampleGrid {
  count: number;
  size: number;
  channels: 1 | 3;
  /** count * size * size * channels uint8, row-major images one after another. */
  pixels: Uint8Array;
}

/** The latent of sample `index` for a given seed: the same vector every time. */
export function latent(g: Generator, seed: number, index: number): tf.Tensor2D {
  return tf.randomNormal([1, g.config.zDim], 0, 1, 'float32', deriveSeed(seed, 0x5a3e, index)) as tf.Tensor2D;
}

/** Images for the given latents (rows of z), truncated with psi, in small batches to bound memory. */
export async function render(g: Generator, z: tf.Tensor2D, psi = 1): Promise<SampleGrid> {
  const n = z.shape[0];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i += 16) {
    const images = tf.tidy(() => g.generate(z.slice([i, 0], [Math.min(16, n - i), -1]), { psi }));
    parts.push(await toPixels(images));
    images.dispose();
  }
  const pixels = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pixels.set(p, o);
    o += p.length;
  }
  return { count: n, size: g.config.resolution, channels: g.config.channels, pixels };
}

/** The run's fixed preview grid: `count` samples from seeded latents. */
export async function sampleGrid(g: Generator, seed: number, count = 16, psi = 1): Promise<SampleGrid> {
  const z = tf.tidy(() => tf.concat(Array.from({ length: count }, (_, i) => latent(g, seed, i))) as tf.Tensor2D);
  try {
    return await render(g, z, psi);
  } finally {
    z.dispose();
  }
}
