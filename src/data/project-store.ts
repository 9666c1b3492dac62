/**
 * Whole-project export and import against the app's IndexedDB store (the file format is project-file.ts).
 *
 * Export reads every record except machine-specific caches (the per-adapter kernel autotune and measured speeds). Import decodes
 * and checks the whole file first, then writes everything new in ONE transaction: a full disk or a closed tab
 * leaves the store exactly as it was. Records already present (same id) are kept, never overwritten.
 */
import { entries, getMany, keys, setMany } from 'idb-keyval';
import { CLASSIFY_SCHEMA_VERSION } from '../pipeline/classify-record.ts';
import { RUNS_SCHEMA_VERSION } from '../pipeline/generator-runs.ts';
import { SEGMENT_SCHEMA_VERSION } from '../pipeline/seg-rounds-record.ts';
import { DataError } from './errors.ts';
import { db, isQuotaError } from './idb.ts';
import { decodeProject, encodeProject, mergePlan, type ProjectEntry } from './project-file.ts';
import { STORE_SCHEMA_VERSION } from './store-types.ts';

/** Index records this app reads, and the newest layout of each. */
export const SUPPORTED_INDEXES: Record<string, number> = {
  datasets: STORE_SCHEMA_VERSION,
  genruns: RUNS_SCHEMA_VERSION,
  clsexps: CLASSIFY_SCHEMA_VERSION,
  segexps: SEGMENT_SCHEMA_VERSION,
};

/** Caches that belong to this machine and browser, not to the project (kernel choices, measured speeds). */
const LOCAL_ONLY = /^(autotune|speed):/;

export interface ProjectImportReport {
  /** New ids per store ('datasets', 'genruns', ...). */
  added: Record<string, number>;
  /** Records skipped because the same key is already here. */
  skipped: number;
  createdAt: string;
  app: string;
}

export async function exportProject(app: string): Promise<{ bytes: Uint8Array; records: number }> {
  const all = (await entries<string, unknown>(db())).filter(([k]) => typeof k === 'string' && !LOCAL_ONLY.test(k));
  const list: ProjectEntry[] = all.map(([key, value]) => ({ key, value }));
  return { bytes: encodeProject(list, app), records: list.length };
}

export async function importProject(bytes: Uint8Array, fileName: string): Promise<ProjectImportReport> {
  const project = decodeProject(bytes, fileName, SUPPORTED_INDEXES);
  const incomingKeys = project.entries.map((e) => e.key);
  const present = new Set((await keys(db())).map(String));
  const wanted = incomingKeys.filter((k) => present.has(k));
  const values = await getMany(wanted, db());
  const existing = new Map<string, unknown>(wanted.map((k, i) => [k, values[i]]));
  const plan = mergePlan(project.entries, existing);
  try {
    await setMany(plan.writes.map((e) => [e.key, e.value]), db());
  } catch (err) {
    if (isQuotaError(err)) throw new DataError(`Storage is full: "${fileName}" did not fit, and nothing from it was kept (your existing data is untouched). Free space and try again.`, 'storage-full');
    throw err;
  }
  return { added: plan.added, skipped: plan.skipped, createdAt: project.createdAt, app: project.app };
}
