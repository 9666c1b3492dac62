/**
 * Stored pseudo-labelling experiments, in the app's IndexedDB store beside datasets and generator runs:
 *
 *   'segexps'                 -> { schema, ids }      index, in creation order
 *   'segexp:<id>'             -> SegmentExperiment    settings, round records, curves (small)
 *   'segexp:<id>:syn'         -> SegSyntheticSet      the synthetic images, uint8, once per experiment
 *   'segexp:<id>:r<r>'        -> SegRoundArrays       round r's pseudo-masks (uint8) and scores (float32)
 *   'segexp:<id>:r<r>:fix'    -> { [imageId]: mask }  the user's corrected masks for round r's pseudo-labels
 *
 * A round's arrays and the experiment record that lists the round are written in one transaction, so a
 * closed tab never leaves a record naming a round whose masks are missing. A branch copies its parent's
 * synthetic set and rounds 0..r under its own id, so deleting either never breaks the other.
 */
import { del, delMany, get, getMany, set, setMany } from 'idb-keyval';
import { db, isQuotaError } from '../data/idb.ts';
import { DataError } from '../data/errors.ts';
import type { SegRoundArrays, SegStore } from './seg-rounds.ts';
import { SEGMENT_SCHEMA_VERSION, type SegContinueChanges, type SegReview, type SegmentExperiment } from './seg-rounds-record.ts';
import type { SegSyntheticSet } from './seg-synthetic.ts';

const INDEX_KEY = 'segexps';
export const segKeys = {
  experiment: (id: string) => `segexp:${id}`,
  synthetic: (id: string) => `segexp:${id}:syn`,
  round: (id: string, r: number) => `segexp:${id}:r${r}`,
  corrected: (id: string, r: number) => `segexp:${id}:r${r}:fix`,
};

interface Index {
  schema: number;
  ids: string[];
}

async function ids(): Promise<string[]> {
  const index = await get<Index>(INDEX_KEY, db());
  if (index && index.schema > SEGMENT_SCHEMA_VERSION) {
    throw new DataError(`Segmentation experiments here were saved by a newer version of the app (schema ${index.schema}); update the app to read them.`, 'store-newer');
  }
  return index?.ids ?? [];
}

function saveError(err: unknown): Error {
  if (isQuotaError(err)) return new DataError('Storage is full: the round could not be saved. Free space (delete a dataset, old runs or experiments) and continue the experiment.', 'storage-full');
  return err instanceof Error ? err : new Error(String(err));
}

export function newSegmentId(): string {
  return `se-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function listSegmentExperiments(): Promise<SegmentExperiment[]> {
  const all = await ids();
  return (await getMany<SegmentExperiment | undefined>(all.map(segKeys.experiment), db())).filter((e): e is SegmentExperiment => e !== undefined);
}

export async function getSegmentExperiment(id: string): Promise<SegmentExperiment> {
  const e = await get<SegmentExperiment>(segKeys.experiment(id), db());
  if (!e) throw new DataError(`No segmentation experiment ${id} is stored in this browser.`, 'not-found');
  return e;
}

export async function getSynthetic(id: string): Promise<SegSyntheticSet> {
  const s = await get<SegSyntheticSet>(segKeys.synthetic(id), db());
  if (!s) throw new DataError(`The synthetic images of experiment ${id} are missing from storage.`, 'not-found');
  return s;
}

/** A new experiment with its synthetic set, in one transaction. */
export async function createSegmentExperiment(e: SegmentExperiment, synthetic: SegSyntheticSet): Promise<void> {
  try {
    await setMany(
      [
        [segKeys.experiment(e.id), e],
        [segKeys.synthetic(e.id), synthetic],
        [INDEX_KEY, { schema: SEGMENT_SCHEMA_VERSION, ids: [...(await ids()), e.id] }],
      ],
      db(),
    );
  } catch (err) {
    throw saveError(err);
  }
}

async function saveExperiment(e: SegmentExperiment): Promise<void> {
  try {
    await set(segKeys.experiment(e.id), { ...e, updatedAt: new Date().toISOString() }, db());
  } catch (err) {
    throw saveError(err);
  }
}

/** The IndexedDB SegStore the round loop writes through. */
export const idbSegStore: SegStore = {
  saveExperiment,
  async getRoundArrays(id, r) {
    const a = await get<SegRoundArrays>(segKeys.round(id, r), db());
    if (!a) throw new DataError(`Round ${r} of experiment ${id} has no stored masks.`, 'not-found');
    return a;
  },
  async getCorrected(id, r) {
    return (await get<Record<string, Uint8Array>>(segKeys.corrected(id, r), db())) ?? {};
  },
  async commitRound(e, r, arrays, corrected) {
    try {
      await setMany(
        [
          [segKeys.round(e.id, r), arrays],
          [segKeys.corrected(e.id, r), corrected],
          [segKeys.experiment(e.id), { ...e, updatedAt: new Date().toISOString() }],
        ],
        db(),
      );
    } catch (err) {
      throw saveError(err);
    }
  },
};

/** Every key an experiment with `rounds` rounds owns. */
export function experimentKeys(id: string, rounds: number): string[] {
  return [segKeys.experiment(id), segKeys.synthetic(id), ...Array.from({ length: rounds }, (_, r) => [segKeys.round(id, r), segKeys.corrected(id, r)]).flat()];
}

export async function deleteSegmentExperiment(id: string): Promise<void> {
  const e = await get<SegmentExperiment>(segKeys.experiment(id), db());
  await set(INDEX_KEY, { schema: SEGMENT_SCHEMA_VERSION, ids: (await ids()).filter((x) => x !== id) }, db());
  // Rounds beyond the record's count may exist if a write was cut short; a few extra deletes cost nothing.
  await delMany(experimentKeys(id, (e?.rounds.length ?? 0) + 2), db());
  await del(segKeys.experiment(id), db());
}

/** An experiment left "running" by a closed tab or a crashed worker: its finished rounds are kept. */
export function interruptedRecord(e: SegmentExperiment): SegmentExperiment {
  return {
    ...e,
    status: 'interrupted',
    message: `Interrupted (the tab closed or the engine stopped) after ${e.rounds.length} finished round${e.rounds.length === 1 ? '' : 's'}; they are kept, and "continue" trains the next one.`,
  };
}

export async function markSegmentInterrupted(): Promise<void> {
  for (const e of await listSegmentExperiments()) if (e.status === 'running') await saveExperiment(interruptedRecord(e));
}

/** The experiment record with `changes` applied to the settings of its next rounds. */
export function withChanges(e: SegmentExperiment, changes: SegContinueChanges = {}): SegmentExperiment {
  const { training, ...rest } = changes;
  return { ...e, options: { ...e.options, ...rest, training: { ...e.options.training, ...(training ?? {}) } } };
}

/**
 * The record of a branch of `parent` at round r (pure): rounds 0..r copied, the settings changed for the
 * rounds it will add, a new id, not yet run.
 */
export function branchRecord(parent: SegmentExperiment, round: number, id: string, now: string, changes: SegContinueChanges = {}): SegmentExperiment {
  if (!Number.isInteger(round) || round < 0 || round >= parent.rounds.length) {
    throw new DataError(`Experiment ${parent.id} has rounds 0 to ${parent.rounds.length - 1}; there is no round ${round} to branch from.`, 'bad-input');
  }
  const base = withChanges(parent, changes);
  return {
    ...base,
    id,
    parent: { experimentId: parent.id, round },
    options: { ...base.options, rounds: round },
    rounds: structuredClone(parent.rounds.slice(0, round + 1)),
    status: 'stopped',
    message: `Branched from round ${round} of ${parent.id}; continue it to train round ${round + 1}.`,
    createdAt: now,
    updatedAt: now,
    seconds: parent.rounds.slice(0, round + 1).reduce((s, r) => s + r.seconds, 0),
  };
}

/** [from, to] keys a branch copies: the synthetic set and each copied round's masks and corrections. */
export function branchKeyCopies(parentId: string, childId: string, round: number): [string, string][] {
  const out: [string, string][] = [[segKeys.synthetic(parentId), segKeys.synthetic(childId)]];
  for (let r = 0; r <= round; r++) {
    out.push([segKeys.round(parentId, r), segKeys.round(childId, r)]);
    out.push([segKeys.corrected(parentId, r), segKeys.corrected(childId, r)]);
  }
  return out;
}

/** Creates a branch of an experiment at round r (copies records; trains nothing). */
export async function branchSegmentExperiment(parentId: string, round: number, changes: SegContinueChanges = {}): Promise<SegmentExperiment> {
  const parent = await getSegmentExperiment(parentId);
  if (parent.status === 'running') throw new DataError('The experiment is still running: stop it before branching from it.', 'bad-input');
  const child = branchRecord(parent, round, newSegmentId(), new Date().toISOString(), changes);
  const copies = branchKeyCopies(parentId, child.id, round);
  const values = await getMany(copies.map(([from]) => from), db());
  try {
    await setMany(
      [
        ...copies.map(([, to], i): [string, unknown] => [to, values[i] ?? {}]),
        [segKeys.experiment(child.id), child],
        [INDEX_KEY, { schema: SEGMENT_SCHEMA_VERSION, ids: [...(await ids()), child.id] }],
      ],
      db(),
    );
  } catch (err) {
    throw saveError(err);
  }
  return child;
}

/**
 * Saves the user's review of round r (overrides and corrected masks; the complete review, replacing the
 * stored one). Only the last round's review can still change what trains: earlier ones are history, and a
 * branch from them is the way to revise them.
 */
export async function saveSegmentReview(id: string, round: number, overrides: SegReview['overrides'], corrected: Record<string, Uint8Array>): Promise<SegmentExperiment> {
  const e = await getSegmentExperiment(id);
  if (e.status === 'running') throw new DataError('The experiment is running: stop it, or wait for its round to end, before changing the review.', 'bad-input');
  if (round !== e.rounds.length - 1) {
    throw new DataError(`Only the last round (${e.rounds.length - 1}) feeds the next one; to revise round ${round}, branch from it and review the branch.`, 'bad-input');
  }
  const syn = await getSynthetic(id);
  const known = new Set(syn.ids);
  const mpx = e.size * e.size;
  for (const [k, o] of Object.entries(overrides)) {
    if (!known.has(k)) throw new DataError(`The review names image "${k}", which this experiment does not have.`, 'bad-input');
    if (o !== 'accept' && o !== 'reject') throw new DataError(`Override of "${k}" must be accept or reject (got ${String(o)}).`, 'bad-input');
  }
  for (const [k, m] of Object.entries(corrected)) {
    if (!known.has(k)) throw new DataError(`The review corrects image "${k}", which this experiment does not have.`, 'bad-input');
    if (!(m instanceof Uint8Array) || m.length !== mpx || m.some((v) => v > 1)) throw new DataError(`The corrected mask of "${k}" must be ${e.size}x${e.size} values of 0 or 1.`, 'bad-input');
  }
  const rounds = e.rounds.map((r) => (r.round === round ? { ...r, review: { overrides: { ...overrides }, corrected: Object.keys(corrected) } } : r));
  const next = { ...e, rounds, updatedAt: new Date().toISOString() };
  try {
    await setMany([[segKeys.corrected(id, round), corrected], [segKeys.experiment(id), next]], db());
  } catch (err) {
    throw saveError(err);
  }
  return next;
}
