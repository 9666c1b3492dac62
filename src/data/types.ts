/**
 * What a dataset is, independent of where it came from or how it is stored.
 *
 * Pixels are uint8, row-major, channels last (N x size x size x channels), at one working resolution chosen
 * at import. Masks are uint8 0/1, N x size x size. Labels are class indices into `classes`.
 */

export type DatasetKind = 'classification' | 'segmentation';
export type SplitName = 'train' | 'val' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];
/** Split codes as stored per image (one byte each). */
export const SPLIT_CODE: Record<SplitName, number> = { train: 0, val: 1, test: 2 };

/** How a non-square source image is brought to size x size. */
export type AspectMode =
  | 'stretch' // resize each axis independently (what the ISIC/Kvasir reference pipelines do)
  | 'crop' // centre-crop to a square, then resize (keeps shapes, may cut lesion edges)
  | 'pad'; // letterbox onto black, then resize (keeps everything, wastes pixels)

/** Fractions of each class that go to val and test when the source has no split of its own. */
export interface SplitFractions {
  val: number;
  test: number;
}
export const DEFAULT_SPLIT: SplitFractions = { val: 0.1, test: 0.2 };

/** Counts of images per split and class name. */
export type SplitCounts = Record<SplitName, Record<string, number>>;

/** Where the split came from: kept from the source, or made by us with a seed. */
export type SplitOrigin = { kind: 'source' } | { kind: 'seeded'; seed: number; fractions: SplitFractions };

/** A file the importer could not use, and why (shown to the user; nothing is dropped silently). */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** The in-memory form an importer produces before it is written to the store. */
export interface DatasetArrays {
  images: Uint8Array; // N * size * size * channels
  masks?: Uint8Array; // N * size * size, values 0/1 (segmentation only)
  labels: Uint8Array; // N class indices (all 0 for an unlabelled segmentation set)
  splits: Uint8Array; // N split codes (SPLIT_CODE)
  names?: string[]; // N source names (file names), where the source has them
}

export interface Attribution {
  dataset: string;
  licence: string;
  cite: string;
}
