/**
 * What every importer gets (options, progress, cancellation, a tracked chunk builder) and returns. The
 * context owns the builders it hands out, so whatever an importer has written is removed if it fails,
 * is cancelled, or runs out of storage: a failed import never leaves a trace.
 */
import type { Attribution, AspectMode, DatasetKind, SkippedFile, SplitOrigin } from '../types.ts';
import type { ImportOptions } from '../../worker/protocol.ts';
import { ChunkBuilder } from './chunk-builder.ts';

export interface ImportedDataset {
  builder: ChunkBuilder;
  kind: DatasetKind;
  classes: string[];
  labelled: boolean;
  splitOrigin: SplitOrigin;
  source: string;
  aspect: AspectMode | 'native';
  skipped: SkippedFile[];
  /** Which well-known dataset this looks like, for its attribution and licence note. */
  attributionHint: 'isic' | 'kvasir' | 'medmnist' | null;
  attribution?: Attribution | null;
}

export class CancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'CancelledError';
  }
}

export class ImportContext {
  private readonly builders: ChunkBuilder[] = [];
  private lastProgress = 0;

  constructor(
    readonly options: ImportOptions,
    private readonly signal: AbortSignal,
    private readonly onProgress: (stage: string, done: number, total: number, message: string) => void,
  ) {}

  newBuilder(size: number, channels: 1 | 3, withMasks: boolean): ChunkBuilder {
    const b = new ChunkBuilder(size, channels, withMasks, 'this import');
    this.builders.push(b);
    return b;
  }

  /** Reports progress (throttled to about 10 per second) and stops here if the user cancelled. */
  progress(stage: string, done: number, total: number, message: string): void {
    if (this.signal.aborted) throw new CancelledError();
    const now = Date.now();
    if (now - this.lastProgress < 100 && done !== 0 && done !== total) return;
    this.lastProgress = now;
    this.onProgress(stage, done, total, message);
  }

  /** Removes everything written by this import's builders. */
  async rollback(): Promise<void> {
    await Promise.all(this.builders.map((b) => b.writer.abort()));
  }
}
