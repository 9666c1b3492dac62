/**
 * The dataset store: IndexedDB through idb-keyval, in one database of its own.
 *
 * Layout (schema STORE_SCHEMA_VERSION):
 *   'datasets'                 -> DatasetIndex        the index: { schema, ids of committed datasets in order }
 *   'dataset:<id>:meta'        -> DatasetMeta         small, read for listings
 *   'dataset:<id>:chunk:<k>'   -> DatasetChunk        up to CHUNK_IMAGES images each
 *
 * An import writes its chunks first and its meta and index entry last, so a failed or cancelled import
 * (storage full, bad file halfway, closed tab) leaves no dataset half-listed: `abort()` removes its chunks
 * and chunks orphaned by a crash are swept at start. Earlier datasets are never touched by an import.
 *
 * sha256 of a dataset = SHA-256 of the concatenated SHA-256 digests of its chunks in order, where a chunk's
 * digest covers images, then masks (if any), then labels, then split codes.
 */
import { delMany, get, keys, set, setMany } from 'idb-keyval';
import { DataError } from './errors.ts';
import { db, isQuotaError } from './idb.ts';
import { CHUNK_IMAGES, STORE_SCHEMA_VERSION, type DatasetChunk, type DatasetMeta, type StorageReport } from './store-types.ts';

const INDEX_KEY = 'datasets';

/** The one small record read first: which datasets exist, and which layout wrote them. */
interface DatasetIndex {
  schema: number;
  ids: string[];
}
const indexOf = (ids: string[]): DatasetIndex => ({ schema: STORE_SCHEMA_VERSION, ids });
const metaKey = (id: string) => `dataset:${id}:meta`;
const chunkKey = (id: string, k: number) => `dataset:${id}:chunk:${k}`;

/** Turns IndexedDB's quota failure into a message a person can act on. */
export function storageError(err: unknown, what: string): Error {
  if (isQuotaError(err)) {
    return new DataError(
      `Storage is full: ${what} did not fit in this browser's storage quota. Nothing was kept from it and ` +
        'earlier datasets are intact. Delete a dataset or free disk space, then try again.',
      'storage-full',
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Checks the schema on start: refuses a store written by a newer version instead of misreading it. */
export async function openStore(): Promise<void> {
  const index = await get<DatasetIndex>(INDEX_KEY, db());
  const schema = index?.schema;
  if (schema === undefined) {
    await set(INDEX_KEY, indexOf([]), db());
  } else if (schema > STORE_SCHEMA_VERSION) {
    throw new DataError(
      `This browser's data was written by a newer version of the app (store schema ${schema}, this app reads ` +
        `up to ${STORE_SCHEMA_VERSION}). Open the newer version, or export and clear the data.`,
      'store-newer',
    );
  }
  await sweepOrphans();
}

/** Removes chunks of imports that never committed (a crash or closed tab mid-import). */
async function sweepOrphans(): Promise<void> {
  const committed = new Set(await listIds());
  const orphans = (await keys(db())).filter((k) => {
    const m = /^dataset:([^:]+):/.exec(String(k));
    return m !== null && !committed.has(m[1]!);
  });
  if (orphans.length) await delMany(orphans, db());
}

async function listIds(): Promise<string[]> {
  return (await get<DatasetIndex>(INDEX_KEY, db()))?.ids ?? [];
}

export async function listDatasets(): Promise<DatasetMeta[]> {
  const ids = await listIds();
  const metas = await Promise.all(ids.map((id) => get<DatasetMeta>(metaKey(id), db())));
  return metas.filter((m): m is DatasetMeta => m !== undefined);
}

export async function getMeta(id: string): Promise<DatasetMeta> {
  const meta = await get<DatasetMeta>(metaKey(id), db());
  if (!meta) throw new DataError(`No dataset with id ${id} is stored in this browser.`, 'not-found');
  return meta;
}

export async function getChunk(id: string, k: number): Promise<DatasetChunk> {
  const chunk = await get<DatasetChunk>(chunkKey(id, k), db());
  if (!chunk) throw new DataError(`Dataset ${id} is damaged: chunk ${k} is missing from storage.`, 'not-found');
  return chunk;
}

export async function renameDataset(id: string, name: string): Promise<DatasetMeta> {
  const trimmed = name.trim();
  if (!trimmed) throw new DataError('A dataset name cannot be empty.', 'bad-name');
  const meta = { ...(await getMeta(id)), name: trimmed.slice(0, 120) };
  await set(metaKey(id), meta, db());
  return meta;
}

export async function deleteDataset(id: string): Promise<void> {
  const meta = await getMeta(id);
  // Unlist first: if the tab closes midway, the leftover chunks are orphans and get swept at next start.
  await set(INDEX_KEY, indexOf((await listIds()).filter((x) => x !== id)), db());
  const ks = [metaKey(id)];
  for (let k = 0; k < meta.chunkCount; k++) ks.push(chunkKey(id, k));
  await delMany(ks, db());
}

export async function storageReport(): Promise<StorageReport> {
  const metas = await listDatasets();
  const datasetBytes = metas.reduce((s, m) => s + m.bytes, 0);
  const sm = (globalThis.navigator as Navigator | undefined)?.storage;
  const est = sm?.estimate ? await sm.estimate().catch(() => null) : null;
  const persisted = sm?.persisted ? await sm.persisted().catch(() => null) : null;
  return { usage: est?.usage ?? null, quota: est?.quota ?? null, persisted, datasetBytes };
}

export function newDatasetId(): string {
  return `ds-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Writes one dataset chunk by chunk; nothing is listed until commit(). */
export class DatasetWriter {
  readonly id = newDatasetId();
  private chunks = 0;
  private bytes = 0;
  private digests: Uint8Array[] = [];
  private closed = false;

  async addChunk(chunk: DatasetChunk, what: string): Promise<void> {
    if (chunk.labels.length > CHUNK_IMAGES) throw new Error(`chunk of ${chunk.labels.length} > ${CHUNK_IMAGES} images`);
    const parts = [chunk.images, ...(chunk.masks ? [chunk.masks] : []), chunk.labels, chunk.splits];
    this.digests.push(await sha256(concat(parts)));
    try {
      await set(chunkKey(this.id, this.chunks), chunk, db());
    } catch (err) {
      throw storageError(err, what);
    }
    this.chunks++;
    this.bytes += parts.reduce((s, p) => s + p.byteLength, 0);
  }

  /** Lists the dataset; meta fields the writer knows (id, sha256, chunks, bytes) are filled in here. */
  async commit(meta: Omit<DatasetMeta, 'id' | 'sha256' | 'chunkCount' | 'bytes' | 'schema'>, what: string): Promise<DatasetMeta> {
    const full: DatasetMeta = {
      ...meta,
      schema: STORE_SCHEMA_VERSION,
      id: this.id,
      sha256: hex(await sha256(concat(this.digests))),
      chunkCount: this.chunks,
      bytes: this.bytes,
    };
    try {
      await setMany([[metaKey(this.id), full], [INDEX_KEY, indexOf([...(await listIds()), this.id])]], db());
    } catch (err) {
      throw storageError(err, what);
    }
    this.closed = true;
    return full;
  }

  /** Removes whatever this import wrote. Safe to call twice or after a failed write. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ks: string[] = [];
    for (let k = 0; k <= this.chunks; k++) ks.push(chunkKey(this.id, k));
    await delMany(ks, db()).catch(() => undefined);
  }
}
