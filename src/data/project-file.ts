/**
 * The project file: every record the app keeps (datasets, generator runs with their checkpoints, experiments)
 * as one `.ssgnet.zip` a person can move to another browser or machine (issue 7 §4).
 *
 * Layout:
 *   project.json   { format: 'ssgnet-project', version, createdAt, app, indexes: { <index key>: schema },
 *                    entries: [{ key, value }] }   values as JSON with typed arrays replaced by
 *                    { $bin: n, type: 'Uint8Array' | ... } references
 *   bin/<n>        the bytes of typed array n (little-endian, as in memory)
 *
 * Versioning: `version` is this file layout's version (a newer one is refused with a reason). Each store
 * keeps its own schema in its index record ({ schema, ids }); the file lists them, and import refuses a
 * store newer than this app reads, or a store it does not know at all (a newer app's data), before writing
 * anything. Pure functions: no IndexedDB here (project-store.ts reads and writes the store).
 */
import { unzipSync, zipSync } from 'fflate';
import { DataError } from './errors.ts';

export const PROJECT_FORMAT = 'ssgnet-project';
export const PROJECT_FILE_VERSION = 1;

export interface ProjectEntry {
  key: string;
  value: unknown;
}

type TypedArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
const TYPED: Record<string, new (b: ArrayBuffer) => TypedArray> = { Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array };

/** An index record ({ schema, ids }) lives under a key without ':' ('datasets', 'genruns', ...). */
export function isIndexRecord(key: string, value: unknown): value is { schema: number; ids: string[] } {
  return !key.includes(':') && typeof value === 'object' && value !== null && typeof (value as { schema?: unknown }).schema === 'number' && Array.isArray((value as { ids?: unknown }).ids);
}

export function encodeProject(entries: ProjectEntry[], app: string): Uint8Array {
  const bins: Uint8Array[] = [];
  const replace = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const type = v.constructor.name;
      if (!(type in TYPED)) throw new Error(`project export: cannot store a ${type}`);
      bins.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice());
      return { $bin: bins.length - 1, type };
    }
    if (Array.isArray(v)) return v.map(replace);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) }; // NaN and ±Infinity survive
    return v;
  };
  const indexes: Record<string, number> = {};
  for (const e of entries) if (isIndexRecord(e.key, e.value)) indexes[e.key] = e.value.schema;
  const doc = { format: PROJECT_FORMAT, version: PROJECT_FILE_VERSION, createdAt: new Date().toISOString(), app, indexes, entries: entries.map((e) => ({ key: e.key, value: replace(e.value) })) };
  const files: Record<string, Uint8Array> = { 'project.json': new TextEncoder().encode(JSON.stringify(doc)) };
  bins.forEach((b, i) => (files[`bin/${i}`] = b));
  // Level 1: datasets are uint8 images that deflate well and fast; weights barely compress at any level.
  return zipSync(files, { level: 1 });
}

export interface DecodedProject {
  createdAt: string;
  app: string;
  indexes: Record<string, number>;
  entries: ProjectEntry[];
}

/**
 * Reads a project file, refusing with a reason: not a zip, not a project, a newer file layout, a store newer
 * than `supported` says this app reads, or a store this app does not know.
 */
export function decodeProject(bytes: Uint8Array, fileName: string, supported: Record<string, number>): DecodedProject {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch {
    throw new DataError(`"${fileName}" is not a project file: it is not a readable zip archive.`, 'bad-input');
  }
  const head = files['project.json'];
  if (!head) throw new DataError(`"${fileName}" is a zip but not an SSGNet project file (no project.json inside).`, 'bad-input');
  let doc: { format?: unknown; version?: unknown; createdAt?: unknown; app?: unknown; indexes?: unknown; entries?: unknown };
  try {
    doc = JSON.parse(new TextDecoder().decode(head));
  } catch {
    throw new DataError(`"${fileName}": its project.json is damaged (not valid JSON).`, 'bad-input');
  }
  if (doc.format !== PROJECT_FORMAT) throw new DataError(`"${fileName}" is not an SSGNet project file (format "${String(doc.format)}").`, 'bad-input');
  if (typeof doc.version !== 'number' || doc.version > PROJECT_FILE_VERSION) {
    throw new DataError(`"${fileName}" was written by a newer version of the app (project file version ${String(doc.version)}; this app reads up to ${PROJECT_FILE_VERSION}). Update the app to import it.`, 'bad-input');
  }
  const indexes = (doc.indexes ?? {}) as Record<string, number>;
  for (const [key, schema] of Object.entries(indexes)) {
    if (!(key in supported)) throw new DataError(`"${fileName}" holds "${key}" records, which this version of the app does not know (a newer app wrote it). Nothing was imported.`, 'bad-input');
    if (schema > supported[key]!) throw new DataError(`"${fileName}" holds "${key}" records in layout ${schema}; this app reads up to ${supported[key]}. Update the app to import it. Nothing was imported.`, 'bad-input');
  }
  if (!Array.isArray(doc.entries)) throw new DataError(`"${fileName}": its project.json lists no records.`, 'bad-input');
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.$bin === 'number' && typeof o.type === 'string') {
        const raw = files[`bin/${o.$bin}`];
        const Ctor = TYPED[o.type];
        if (!raw || !Ctor) throw new DataError(`"${fileName}" is damaged: binary part ${o.$bin} (${o.type}) is missing.`, 'bad-input');
        return new Ctor(raw.slice().buffer);
      }
      if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  const entries = (doc.entries as { key?: unknown; value?: unknown }[]).map((e) => {
    if (typeof e.key !== 'string') throw new DataError(`"${fileName}" is damaged: a record has no key.`, 'bad-input');
    return { key: e.key, value: revive(e.value) };
  });
  return { createdAt: String(doc.createdAt ?? ''), app: String(doc.app ?? ''), indexes, entries };
}

/**
 * What importing `incoming` into a store that has `existing` keys writes: records it lacks are added; an id
 * already present is kept as it is (never overwritten); index records are merged (existing ids first, then
 * new ones in the file's order).
 */
export function mergePlan(incoming: ProjectEntry[], existing: Map<string, unknown>): { writes: ProjectEntry[]; skipped: number; added: Record<string, number> } {
  const writes: ProjectEntry[] = [];
  const added: Record<string, number> = {};
  let skipped = 0;
  for (const e of incoming) {
    if (isIndexRecord(e.key, e.value)) {
      const have = existing.get(e.key);
      const haveIds = isIndexRecord(e.key, have) ? have.ids : [];
      const fresh = e.value.ids.filter((id) => !haveIds.includes(id));
      added[e.key] = fresh.length;
      const schema = isIndexRecord(e.key, have) ? have.schema : e.value.schema;
      writes.push({ key: e.key, value: { ...(isIndexRecord(e.key, have) ? have : e.value), schema, ids: [...haveIds, ...fresh] } });
    } else if (existing.has(e.key)) {
      skipped++;
    } else {
      writes.push(e);
    }
  }
  return { writes, skipped, added };
}
