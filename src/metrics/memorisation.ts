/**
 * Memorisation check: is a generator copying its (small) training set?
 * For each generated sample we find its nearest real training image twice:
 *   - by feature distance: Euclidean (L2) distance between extractor embeddings;
 *   - by pixel distance: mean absolute difference over all pixels and channels of the images as the models
 *     see them, in [-1, 1] units (so 2/255 ≈ 0.0078 is one grey level; multiply by 127.5 for grey levels).
 * A sample is a "near copy" when its nearest-real feature distance is <= a threshold. The threshold is an
 * explicit input; nearCopyThreshold() derives it from real data alone: the q-th quantile (default 5 %) of
 * the distances from each held-out real image to its nearest training image. Two different real images are
 * rarely closer than that, so a fake below it is "closer to a training image than real images are to each
 * other". With few held-out images the 5th percentile is close to the minimum; report nHeldOut with it.
 * `<=` (not `<`) so an exact copy is flagged even when the threshold is 0 (duplicates in the real data).
 */

export interface NearestMatch {
  index: number;
  distance: number;
}

export interface MemorisationSample {
  fakeIndex: number;
  nearestFeature: NearestMatch;
  nearestPixel: NearestMatch;
}

export interface MemorisationInput {
  /** Embeddings, row-major [n x dim]. */
  realFeatures: Float32Array;
  fakeFeatures: Float32Array;
  dim: number;
  /** Images flattened per sample (H*W*C values each, in [-1, 1]), same order as the features. */
  realPixels: Float32Array;
  fakePixels: Float32Array;
}

export interface MemorisationReport {
  samples: MemorisationSample[];
  threshold: number;
  nearCopies: number;
  /** Share of fakes whose nearest-real feature distance is <= threshold. */
  nearCopyRate: number;
  nReal: number;
  nFake: number;
  pixelDistance: 'mean absolute difference on [-1, 1] pixels';
  featureDistance: 'L2 between embeddings';
}

export interface NearCopyThreshold {
  threshold: number;
  quantile: number;
  nTrain: number;
  nHeldOut: number;
  /** Per held-out image, its L2 distance to the nearest training image. */
  heldOutNearest: Float64Array;
}

function rows(a: Float32Array, width: number, what: string): number {
  if (width <= 0 || a.length % width !== 0) throw new Error(`memorisation: ${what} length ${a.length} not a multiple of ${width}`);
  return a.length / width;
}

/** Nearest row of `set` to row q of `query` by L2 (squared distances compared, root taken once). */
function nearestL2(query: Float32Array, q: number, set: Float32Array, n: number, dim: number): NearestMatch {
  let best = Infinity;
  let bestIndex = -1;
  const qo = q * dim;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let k = 0; k < dim && s < best; k++) {
      const d = (query[qo + k] as number) - (set[o + k] as number);
      s += d * d;
    }
    if (s < best) {
      best = s;
      bestIndex = i;
    }
  }
  return { index: bestIndex, distance: Math.sqrt(best) };
}

/**
 * Nearest row by mean absolute difference. The partial sum is checked every 64 values so a candidate is
 * abandoned once it cannot win (exact: the sum only grows), which makes the brute-force search affordable.
 */
function nearestL1(query: Float32Array, q: number, set: Float32Array, n: number, size: number): NearestMatch {
  let best = Infinity;
  let bestIndex = -1;
  const qo = q * size;
  for (let i = 0; i < n; i++) {
    const o = i * size;
    let s = 0;
    for (let k = 0; k < size && s < best; ) {
      const end = Math.min(size, k + 64);
      for (; k < end; k++) s += Math.abs((query[qo + k] as number) - (set[o + k] as number));
    }
    if (s < best) {
      best = s;
      bestIndex = i;
    }
  }
  return { index: bestIndex, distance: best / size };
}

/** The near-copy threshold from real data: q-quantile of held-out-to-nearest-train feature distances. */
export function nearCopyThreshold(trainFeatures: Float32Array, heldOutFeatures: Float32Array, dim: number, quantile = 0.05): NearCopyThreshold {
  const nTrain = rows(trainFeatures, dim, 'train features');
  const nHeldOut = rows(heldOutFeatures, dim, 'held-out features');
  if (nTrain < 1 || nHeldOut < 1) throw new Error('nearCopyThreshold: need at least one train and one held-out image');
  if (!(quantile >= 0 && quantile <= 1)) throw new Error(`nearCopyThreshold: quantile ${quantile} outside [0, 1]`);
  const heldOutNearest = new Float64Array(nHeldOut);
  for (let q = 0; q < nHeldOut; q++) heldOutNearest[q] = nearestL2(heldOutFeatures, q, trainFeatures, nTrain, dim).distance;
  const sorted = Float64Array.from(heldOutNearest).sort();
  // Linear interpolation between order statistics (numpy's default percentile).
  const pos = quantile * (nHeldOut - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(nHeldOut - 1, lo + 1);
  const threshold = (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
  return { threshold, quantile, nTrain, nHeldOut, heldOutNearest };
}

/** Nearest real training image for every fake, by features and by pixels, plus the near-copy rate. */
export function findNearestReal(input: MemorisationInput, threshold: number): MemorisationReport {
  const { realFeatures, fakeFeatures, dim, realPixels, fakePixels } = input;
  const nReal = rows(realFeatures, dim, 'real features');
  const nFake = rows(fakeFeatures, dim, 'fake features');
  if (nReal < 1) throw new Error('findNearestReal: no real images');
  if (realPixels.length % nReal !== 0) throw new Error('findNearestReal: real pixels do not match the real features');
  const size = realPixels.length / nReal;
  if (fakePixels.length !== nFake * size) throw new Error('findNearestReal: fake pixels do not match the fake features or image size');
  const samples: MemorisationSample[] = [];
  let nearCopies = 0;
  for (let f = 0; f < nFake; f++) {
    const nearestFeature = nearestL2(fakeFeatures, f, realFeatures, nReal, dim);
    const nearestPixel = nearestL1(fakePixels, f, realPixels, nReal, size);
    if (nearestFeature.distance <= threshold) nearCopies++;
    samples.push({ fakeIndex: f, nearestFeature, nearestPixel });
  }
  return {
    samples,
    threshold,
    nearCopies,
    nearCopyRate: nFake > 0 ? nearCopies / nFake : 0,
    nReal,
    nFake,
    pixelDistance: 'mean absolute difference on [-1, 1] pixels',
    featureDistance: 'L2 between embeddings',
  };
}
