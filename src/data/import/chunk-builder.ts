/**
 * Streams imported images into the store CHUNK_IMAGES at a time, so an import never holds a whole large
 * dataset in memory, and keeps the running counts the dataset record needs.
 */
import { DatasetWriter } from '../store.ts';
import { CHUNK_IMAGES } from '../store-types.ts';

export class ChunkBuilder {
  readonly writer = new DatasetWriter();
  private readonly pixelsPer: number;
  private readonly maskPer: number;
  private images: Uint8Array;
  private masks: Uint8Array | null;
  private labels = new Uint8Array(CHUNK_IMAGES);
  private splits = new Uint8Array(CHUNK_IMAGES);
  private names: string[] = [];
  private fill = 0;
  count = 0;
  /** Every label and split code pushed so far (one byte each: cheap to keep for the counts). */
  readonly allLabels: number[] = [];
  readonly allSplits: number[] = [];

  constructor(
    readonly size: number,
    readonly channels: 1 | 3,
    withMasks: boolean,
    private readonly what: string,
  ) {
    this.pixelsPer = size * size * channels;
    this.maskPer = size * size;
    this.images = new Uint8Array(CHUNK_IMAGES * this.pixelsPer);
    this.masks = withMasks ? new Uint8Array(CHUNK_IMAGES * this.maskPer) : null;
  }

  /** Offsets into the current chunk's buffers where the caller writes the next image (and mask). */
  slot(): { images: Uint8Array; imageOffset: number; masks: Uint8Array | null; maskOffset: number } {
    return { images: this.images, imageOffset: this.fill * this.pixelsPer, masks: this.masks, maskOffset: this.fill * this.maskPer };
  }

  /** Commits the slot just written; flushes a full chunk to storage. */
  async push(label: number, split: number, name: string | null): Promise<void> {
    this.labels[this.fill] = label;
    this.splits[this.fill] = split;
    if (name !== null) this.names.push(name);
    this.allLabels.push(label);
    this.allSplits.push(split);
    this.fill++;
    this.count++;
    if (this.fill === CHUNK_IMAGES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.fill === 0) return;
    const n = this.fill;
    await this.writer.addChunk(
      {
        images: this.images.slice(0, n * this.pixelsPer),
        masks: this.masks ? this.masks.slice(0, n * this.maskPer) : null,
        labels: this.labels.slice(0, n),
        splits: this.splits.slice(0, n),
        names: this.names.length === n ? this.names : null,
      },
      this.what,
    );
    this.fill = 0;
    this.names = [];
  }
}
