/**
 * The one entry point every import goes through (UI picker, drag and drop, the headless runner): it
 * recognises what it was given (a MedMNIST .npz, a zip of anything, a folder), runs the right importer,
 * then either commits the dataset or removes every byte the import wrote.
 */
import { DataError } from '../errors.ts';
import { isZip, readZip } from '../zip.ts';
import { countSplits } from '../splits.ts';
import type { DatasetMeta } from '../store-types.ts';
import type { ImportOptions, ImportResult, PhantomOptions, SourceFile } from '../../worker/protocol.ts';
import { ATTRIBUTIONS } from './attribution.ts';
import { importFolder } from './folder-import.ts';
import { ImportContext, type ImportedDataset } from './import-context.ts';
import { extension } from './layout.ts';
import { importMedMnist } from './medmnist-import.ts';
import { importPhantom } from './phantom-import.ts';

type Progress = (stage: string, done: number, total: number, message: string) => void;

/** Largest archive or .npz we read into memory at once (the browser must hold it while unpacking). */
const MAX_ARCHIVE_BYTES = 1536 * 1024 * 1024;

export async function importFiles(files: SourceFile[], options: ImportOptions, signal: AbortSignal, progress: Progress): Promise<ImportResult> {
  if (files.length === 0) throw new DataError('Nothing to import: no files were given.', 'no-files');
  const ctx = new ImportContext(options, signal, progress);
  const name = options.name?.trim() || defaultName(files);
  return runAndCommit(ctx, name, () => dispatch(files, ctx, 0));
}

export async function importPhantomDataset(options: PhantomOptions, signal: AbortSignal, progress: Progress): Promise<ImportResult> {
  if (!(options.size >= 16 && options.size <= 256)) throw new DataError(`Phantom size must be 16 to 256 px (got ${options.size}).`, 'bad-option');
  if (!(options.count >= 10 && options.count <= 20000)) throw new DataError(`Phantom count must be 10 to 20000 (got ${options.count}).`, 'bad-option');
  const ctx = new ImportContext({}, signal, progress);
  return runAndCommit(ctx, options.name ?? `Phantom demo (${options.size} px)`, () => importPhantom(options, ctx));
}

async function runAndCommit(ctx: ImportContext, name: string, run: () => Promise<ImportedDataset>): Promise<ImportResult> {
  try {
    const d = await run();
    await d.builder.flush();
    ctx.progress('saving', 1, 1, 'saving the dataset record');
    const counts = countSplits(d.builder.allLabels, Uint8Array.from(d.builder.allSplits), d.classes);
    const meta: Omit<DatasetMeta, 'id' | 'sha256' | 'chunkCount' | 'bytes' | 'schema'> = {
      name,
      kind: d.kind,
      size: d.builder.size,
      channels: d.builder.channels,
      classes: d.classes,
      labelled: d.labelled,
      count: d.builder.count,
      counts,
      splitOrigin: d.splitOrigin,
      source: d.source,
      aspect: d.aspect,
      createdAt: new Date().toISOString(),
      skipped: d.skipped,
      attribution: d.attributionHint ? ATTRIBUTIONS[d.attributionHint] : null,
    };
    const dataset = await d.builder.writer.commit(meta, 'this import');
    return { dataset, skipped: d.skipped };
  } catch (err) {
    await ctx.rollback();
    throw err;
  }
}

function defaultName(files: SourceFile[]): string {
  const first = files[0]!.path;
  if (files.length === 1) return first.slice(first.lastIndexOf('/') + 1).replace(/\.(npz|zip)$/i, '');
  return first.includes('/') ? first.slice(0, first.indexOf('/')) : 'imported images';
}

async function dispatch(files: SourceFile[], ctx: ImportContext, depth: number): Promise<ImportedDataset> {
  if (files.length === 1) {
    const only = files[0]!;
    const ext = extension(only.path);
    if (ext === 'npz' || ext === 'zip') {
      if (only.file.size > MAX_ARCHIVE_BYTES) {
        throw new DataError(`${only.path} is ${(only.file.size / 2 ** 30).toFixed(1)} GiB; archives over ${MAX_ARCHIVE_BYTES / 2 ** 30} GiB cannot be read in the browser at once. Unpack it and import the folder instead.`, 'zip-too-large');
      }
      ctx.progress('reading', 0, 1, `reading ${only.path}`);
      const bytes = new Uint8Array(await only.file.arrayBuffer());
      if (ext === 'npz') return importMedMnist(bytes, only.path.slice(only.path.lastIndexOf('/') + 1), ctx);
      if (!isZip(bytes)) throw new DataError(`${only.path} is not a zip archive (its first bytes are not a zip signature).`, 'zip-corrupt');
      if (depth > 0) throw new DataError(`${only.path} is a zip inside a zip; unpack the outer one first.`, 'zip-nested');
      ctx.progress('unpacking', 0, 1, `unpacking ${only.path}`);
      const entries = readZip(bytes, {}, only.path);
      const inner: SourceFile[] = entries.map((e) => ({ path: e.path, file: new Blob([e.bytes as Uint8Array<ArrayBuffer>]) }));
      if (inner.length === 0) throw new DataError(`${only.path} is an empty archive.`, 'zip-empty');
      return dispatch(inner, ctx, depth + 1);
    }
  }
  return importFolder(files, ctx);
}
