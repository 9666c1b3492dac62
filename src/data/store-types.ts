/** The records the dataset store keeps in IndexedDB, and the summaries it hands to the UI. */
import type { Attribution, DatasetKind, SkippedFile, SplitCounts, SplitOrigin } from './types.ts';

/** Bump when the stored layout changes; an older store is migrated, a newer one refused with a message. */
export const STORE_SCHEMA_VERSION = 1;

/** Images per stored chunk: small enough to write in one transaction, large enough to keep records few. */
export const CHUNK_IMAGES = 256;

export interface DatasetMeta {
  schema: number;
  id: string;
  name: string;
  kind: DatasetKind;
  /** Working resolution: images are size x size. */
  size: number;
  channels: 1 | 3;
  classes: string[];
  /** False for a segmentation set without class labels (all labels are 0, `classes` is ['all']). */
  labelled: boolean;
  count: number;
  counts: SplitCounts;
  splitOrigin: SplitOrigin;
  /** What the data came from, in words ("breastmnist.npz (MedMNIST)", "phantom seed 1", "folder isic"). */
  source: string;
  aspect: string;
  /** SHA-256 over the stored arrays (see store.ts for the exact definition), hex. */
  sha256: string;
  chunkCount: number;
  bytes: number;
  createdAt: string;
  skipped: SkippedFile[];
  attribution: Attribution | null;
}

/** One stored chunk: up to CHUNK_IMAGES consecutive images of a dataset. */
export interface DatasetChunk {
  images: Uint8Array;
  masks: Uint8Array | null;
  labels: Uint8Array;
  splits: Uint8Array;
  names: string[] | null;
}

/** A few images for thumbnails. */
export interface DatasetSample {
  index: number;
  label: number;
  split: number;
  name: string | null;
  size: number;
  channels: 1 | 3;
  pixels: Uint8Array;
  mask: Uint8Array | null;
}

export interface StorageReport {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
  /** Bytes of dataset arrays this app has stored, by our own count. */
  datasetBytes: number;
}
