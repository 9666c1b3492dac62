/**
 * Synthesis quality of a class generator, in a fixed feature space: a small CNN trained once per dataset and
 * resolution on the real training split (src/metrics/feature-extractor.ts), cached in IndexedDB so every
 * measurement of every run of that dataset uses the same features. Numbers are named for what they are:
 * "FD (classifier features)" and KID with its spread over subsets, always with N and the extractor stated.
 *
 * Memorisation: for each generated sample, the nearest real training image (by features and by pixels); a
 * sample is a near-copy when it is closer to a training image than 95 % of the class's real validation
 * images are (so "as close as two different real images ever are" is the yardstick).
 */
import * as tf from '@tensorflow/tfjs';
import { get, set } from 'idb-keyval';
import { db } from '../data/idb.ts';
import { deriveSeed } from '../data/rng.ts';
import { SPLIT_CODE } from '../data/types.ts';
import type { Generator } from '../models/generator.ts';
import { restoreFeatureExtractor, trainFeatureExtractor, type ExtractorTrainingInfo, type FeatureExtractor, type FeatureExtractorConfig, type WeightRecord } from '../metrics/feature-extractor.ts';
import { frechetDistance } from '../metrics/frechet.ts';
import { kernelInceptionDistance } from '../metrics/kid.ts';
import { findNearestReal, nearCopyThreshold } from '../metrics/memorisation.ts';
import type { DatasetArraysMessage } from '../worker/protocol.ts';
import { classTrainIndices, imagesTensor, toPixels } from './class-images.ts';

export interface QualityOptions {
  /** Epochs of the feature extractor's training (once per dataset and resolution). */
  extractorEpochs: number;
  /** Generated images per measurement. */
  nFake: number;
}

export const DEFAULT_QUALITY: QualityOptions = { extractorEpochs: 8, nFake: 256 };

export interface QualityResult {
  kid: number;
  kidStd: number;
  kidSubsets: number;
  kidSubsetSize: number;
  fd: number;
  nReal: number;
  nFake: number;
  nearCopyRate: number;
  nearCopyThreshold: number;
  /** The closest pairs (fake, nearest real by features), for a side-by-side view. */
  closest: { fake: Uint8Array; real: Uint8Array; featureDistance: number; pixelDistance: number }[];
  extractor: string;
}

interface StoredExtractor {
  config: FeatureExtractorConfig;
  weights: WeightRecord;
  info: ExtractorTrainingInfo | null;
}

const extractorKey = (datasetId: string, resolution: number) => `featx:${datasetId}:${resolution}`;

/** The dataset's feature extractor at this resolution: from storage, or trained now and stored. */
export async function datasetExtractor(a: DatasetArraysMessage, resolution: number, opts: QualityOptions, onStatus: (s: string) => void): Promise<FeatureExtractor> {
  const key = extractorKey(a.meta.id, resolution);
  const stored = await get<StoredExtractor>(key, db());
  if (stored) return restoreFeatureExtractor(stored.config, stored.weights, stored.info);
  const indices = classTrainIndices(a, null);
  const images = imagesTensor(a, indices, resolution);
  const labels = Uint8Array.from(indices, (i) => (a.meta.labelled ? a.labels[i]! : 0));
  try {
    const extractor = await trainFeatureExtractor(images, labels, a.meta.labelled ? a.meta.classes.length : 1, {
      epochs: opts.extractorEpochs,
      batchSize: 32,
      seed: 1,
      lr: 2e-3,
      onEpoch: (r) => onStatus(`training the feature extractor for FD/KID: epoch ${r.epoch} of ${r.epochs}, training accuracy ${(100 * r.accuracy).toFixed(0)}%, loss ${r.loss.toFixed(3)}`),
    });
    await set(key, { config: extractor.config, weights: await extractor.getWeights(), info: extractor.info } satisfies StoredExtractor, db());
    return extractor;
  } finally {
    images.dispose();
  }
}

function classIndices(a: DatasetArraysMessage, classIndex: number | null, split: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.labels.length; i++) if (a.splits[i] === split && (classIndex === null || a.labels[i] === classIndex)) out.push(i);
  return out;
}

async function embed(extractor: FeatureExtractor, images: tf.Tensor4D): Promise<Float32Array> {
  return extractor.embedToArray(images);
}

/** Measures the generator against its class: KID, FD, near-copy rate and the closest pairs. */
export async function measureQuality(g: Generator, a: DatasetArraysMessage, classIndex: number | null, extractor: FeatureExtractor, opts: QualityOptions, seed: number): Promise<QualityResult> {
  const res = g.config.resolution;
  const trainIdx = classTrainIndices(a, classIndex);
  const heldIdx = classIndices(a, classIndex, SPLIT_CODE.val);
  const real = imagesTensor(a, trainIdx, res);
  const held = heldIdx.length ? imagesTensor(a, heldIdx, res) : null;
  const fakes: tf.Tensor4D[] = [];
  for (let i = 0; i < opts.nFake; i += 32) {
    const n = Math.min(32, opts.nFake - i);
    fakes.push(tf.tidy(() => g.generate(tf.randomNormal([n, g.config.zDim], 0, 1, 'float32', deriveSeed(seed, 0x9a11, i)) as tf.Tensor2D).clipByValue(-1, 1) as tf.Tensor4D));
  }
  const fake = tf.concat(fakes) as tf.Tensor4D;
  fakes.forEach((t) => t.dispose());
  try {
    const dim = extractor.dim;
    const fr = await embed(extractor, real);
    const ff = await embed(extractor, fake);
    const nReal = trainIdx.length;
    // Subsets of half the smaller set: with the reference default (min(1000, n)) every subset would be the
    // whole set for our small classes, and the spread would say nothing.
    const subsetSize = Math.max(2, Math.floor(Math.min(nReal, opts.nFake) / 2));
    const kid = kernelInceptionDistance(fr, ff, dim, { subsets: 50, subsetSize, seed });
    const fd = frechetDistance(fr, ff, dim);
    const fh = held ? await embed(extractor, held) : null;
    const threshold = fh && heldIdx.length >= 2 ? nearCopyThreshold(fr, fh, dim, 0.05).threshold : 0;
    const realPixels = (await real.data()) as Float32Array;
    const fakePixels = (await fake.data()) as Float32Array;
    const mem = findNearestReal({ realFeatures: fr, fakeFeatures: ff, dim, realPixels, fakePixels }, threshold);
    const closestSamples = [...mem.samples].sort((x, y) => x.nearestFeature.distance - y.nearestFeature.distance).slice(0, 6);
    const closest = [];
    for (const s of closestSamples) {
      const f = tf.tidy(() => fake.slice([s.fakeIndex, 0, 0, 0], [1, -1, -1, -1]));
      const r = tf.tidy(() => real.slice([s.nearestFeature.index, 0, 0, 0], [1, -1, -1, -1]));
      closest.push({ fake: await toPixels(f as tf.Tensor4D), real: await toPixels(r as tf.Tensor4D), featureDistance: s.nearestFeature.distance, pixelDistance: s.nearestPixel.distance });
      f.dispose();
      r.dispose();
    }
    return {
      kid: kid.kid,
      kidStd: kid.kidStd,
      kidSubsets: kid.subsets,
      kidSubsetSize: kid.subsetSize,
      fd,
      nReal,
      nFake: opts.nFake,
      nearCopyRate: mem.nearCopyRate,
      nearCopyThreshold: threshold,
      closest,
      extractor: extractor.describe(),
    };
  } finally {
    real.dispose();
    held?.dispose();
    fake.dispose();
  }
}
