/**
 * Turns what the user gave the page (a file input, a folder input, or a drag and drop of files and
 * folders) into SourceFiles with paths relative to what was picked, which is what the importers read.
 */
import type { SourceFile } from '../worker/protocol.ts';

export function fromFileList(list: FileList | File[]): SourceFile[] {
  return Array.from(list, (f) => ({ path: f.webkitRelativePath || f.name, file: f }));
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: SourceFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries per call: keep reading until it returns none.
    for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
      for (const child of batch) await walk(child, out);
    }
  }
}

/** Files and folders dropped on the page, folders walked recursively. */
export async function fromDataTransfer(dt: DataTransfer): Promise<SourceFile[]> {
  const entries = Array.from(dt.items)
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => e !== null && e !== undefined);
  if (entries.length === 0) return fromFileList(dt.files);
  const out: SourceFile[] = [];
  for (const e of entries) await walk(e, out);
  return out;
}
