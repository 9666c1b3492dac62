/**
 * Training-time augmentation for the segmenter: a random element of the square's symmetry group (a rotation
 * by a multiple of 90 degrees, optional flips), applied IDENTICALLY to an image and its mask.
 *
 * Why only these: they move every pixel to another pixel exactly (no resampling), so a 0/1 mask stays 0/1
 * and stays aligned with its image to the pixel, and they are the core of both authors' pipelines (VM-UNet:
 * flips + rotations; the t-vMF code: horizontal flip + rotation). Not done: the t-vMF code's rotation by an
 * arbitrary angle in +-90 degrees (it would need bilinear images and nearest-neighbour masks).
 *
 * Works on the uint8 batch before it is uploaded (a gather through one index map per image), so it costs
 * no tensor op. Parameters are drawn from the caller's seeded generator, always 3 draws per image.
 */

export interface SegAugmentConfig {
  /** Rotate by k * 90 degrees, k uniform in 0..3. */
  rotate90: boolean;
  /** Probability of a left-right flip. */
  hflip: number;
  /** Probability of an up-down flip (redundant with rotate90 + hflip, which already reach all 8 symmetries). */
  vflip: number;
}

/** Uniform over the 8 symmetries of the square. */
export const DEFAULT_SEG_AUGMENT: SegAugmentConfig = { rotate90: true, hflip: 0.5, vflip: 0 };

export interface SegAugmentParams {
  /** Counter-clockwise quarter turns (np.rot90's direction), 0..3, applied after the flips. */
  quarterTurns: number;
  flipX: boolean;
  flipY: boolean;
}

export function drawSegAugment(n: number, cfg: SegAugmentConfig, rand: () => number): SegAugmentParams[] {
  const out: SegAugmentParams[] = [];
  for (let i = 0; i < n; i++) {
    const u = rand();
    const quarterTurns = cfg.rotate90 ? Math.min(3, Math.floor(u * 4)) : 0;
    const flipX = rand() < cfg.hflip;
    const flipY = rand() < cfg.vflip;
    out.push({ quarterTurns, flipX, flipY });
  }
  return out;
}

/**
 * For each output pixel (row-major) of a side x side image, the input pixel it copies: flips first, then
 * quarterTurns counter-clockwise turns (one turn: out[r][c] = in[c][side - 1 - r]).
 */
export function dihedralIndexMap(p: SegAugmentParams, side: number): Int32Array {
  const map = new Int32Array(side * side);
  const last = side - 1;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      let y = r;
      let x = c;
      for (let k = 0; k < (p.quarterTurns & 3); k++) {
        const ny = x;
        x = last - y;
        y = ny;
      }
      if (p.flipX) x = last - x;
      if (p.flipY) y = last - y;
      map[r * side + c] = y * side + x;
    }
  }
  return map;
}

/** Apply one parameter set per image to a batch of images (n x side x side x channels) and masks (n x side x side). */
export function applySegAugment(
  images: Uint8Array,
  masks: Uint8Array,
  side: number,
  channels: number,
  params: readonly SegAugmentParams[],
): { images: Uint8Array; masks: Uint8Array } {
  const px = side * side;
  const n = params.length;
  if (images.length !== n * px * channels || masks.length !== n * px) {
    throw new Error(`applySegAugment: ${images.length} image bytes and ${masks.length} mask bytes for ${n} images of ${side}x${side}x${channels}`);
  }
  const outImages = new Uint8Array(images.length);
  const outMasks = new Uint8Array(masks.length);
  params.forEach((p, i) => {
    const map = dihedralIndexMap(p, side);
    const mBase = i * px;
    const iBase = mBase * channels;
    for (let j = 0; j < px; j++) {
      const src = map[j] as number;
      outMasks[mBase + j] = masks[mBase + src] as number;
      for (let ch = 0; ch < channels; ch++) outImages[iBase + j * channels + ch] = images[iBase + src * channels + ch] as number;
    }
  });
  return { images: outImages, masks: outMasks };
}
