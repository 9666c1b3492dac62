/**
 * Stored classification experiments, in the app's IndexedDB store beside datasets and generator runs:
 *
 *   'clsexps'         -> { schema, ids }        index, in creation order
 *   'clsexp:<id>'     -> ClassifyExperiment     settings, results so far, curves (no weights)
 *
 * An experiment is saved after every finished (arm, seed) run, so a closed tab or a stop keeps every result
 * that was complete.
 */
import { del, get, getMany, set, setMany } from 'idb-keyval';
import { db, isQuotaError } from '../data/idb.ts';
import { DataError } from '../data/errors.ts';
import { CLASSIFY_SCHEMA_VERSION, type ClassifyExperiment } from './classify-record.ts';

const INDEX_KEY = 'clsexps';
const key = (id: string) => `clsexp:${id}`;

interface Index {
  schema: number;
  ids: string[];
}

async function ids(): Promise<string[]> {
  const index = await get<Index>(INDEX_KEY, db());
  if (index && index.schema > CLASSIFY_SCHEMA_VERSION) {
    throw new DataError(`Classification experiments here were saved by a newer version of the app (schema ${index.schema}); update the app to read them.`, 'store-newer');
  }
  return index?.ids ?? [];
}

function saveError(err: unknown): Error {
  if (isQuotaError(err)) return new DataError('Storage is full: the experiment’s latest results could not be saved. Free space (delete a dataset or old runs) and run it again.', 'storage-full');
  return err instanceof Error ? err : new Error(String(err));
}

export async function listExperiments(): Promise<ClassifyExperiment[]> {
  const all = await ids();
  return (await getMany<ClassifyExperiment | undefined>(all.map(key), db())).filter((e): e is ClassifyExperiment => e !== undefined);
}

export async function getExperiment(id: string): Promise<ClassifyExperiment> {
  const e = await get<ClassifyExperiment>(key(id), db());
  if (!e) throw new DataError(`No classification experiment ${id} is stored in this browser.`, 'not-found');
  return e;
}

export async function createExperiment(e: ClassifyExperiment): Promise<void> {
  try {
    await setMany([[key(e.id), e], [INDEX_KEY, { schema: CLASSIFY_SCHEMA_VERSION, ids: [...(await ids()), e.id] }]], db());
  } catch (err) {
    throw saveError(err);
  }
}

export async function saveExperiment(e: ClassifyExperiment): Promise<void> {
  try {
    await set(key(e.id), { ...e, updatedAt: new Date().toISOString() }, db());
  } catch (err) {
    throw saveError(err);
  }
}

export async function deleteExperiment(id: string): Promise<void> {
  await set(INDEX_KEY, { schema: CLASSIFY_SCHEMA_VERSION, ids: (await ids()).filter((x) => x !== id) }, db());
  await del(key(id), db());
}

/**
 * An experiment left "running" by a closed tab or a crashed worker is marked stopped when the app starts
 * again: its completed runs are kept, and the message says what happened.
 */
export async function markInterrupted(): Promise<void> {
  for (const e of await listExperiments()) {
    if (e.status === 'running') await saveExperiment({ ...e, status: 'stopped', message: `Interrupted (the tab closed or the engine stopped) after ${e.results.length} finished run${e.results.length === 1 ? '' : 's'}; those results are kept.` });
  }
}
