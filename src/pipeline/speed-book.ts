/**
 * Measured training speeds, kept in IndexedDB per adapter: a figure measured on one GPU says nothing about
 * another, so the adapter's identity (and the backend) is part of every key. A newer figure for the same
 * job and adapter replaces the older one; a real run's figure is preferred over a probe's, since it
 * includes what a probe leaves out (data loading, checkpoints, measurements).
 *
 * Not part of the project file: speeds belong to this machine, not to the project.
 */
import { get, keys, set } from 'idb-keyval';
import { db } from '../data/idb.ts';
import type { SpeedRecord } from './speed-job.ts';

const PREFIX = 'speed:v1:';

let identity = 'unknown';

/** Set once the backend is up: e.g. "webgpu|google|swiftshader|…" (see the worker's init). */
export function setSpeedIdentity(id: string): void {
  identity = id;
}

const keyOf = (jobKey: string): string => `${PREFIX}${identity}::${jobKey}`;

/** Every figure measured on this adapter and backend. */
export async function listSpeeds(): Promise<SpeedRecord[]> {
  const mine = (await keys(db())).filter((k): k is string => typeof k === 'string' && k.startsWith(`${PREFIX}${identity}::`));
  const records = await Promise.all(mine.map((k) => get<SpeedRecord>(k, db())));
  return records.filter((r): r is SpeedRecord => !!r && Number.isFinite(r.msPerImage) && r.msPerImage > 0);
}

/**
 * Stores a figure. A probe does not replace a run's figure for the same job (the run measured more of
 * the real work); anything else replaces what was there. A full disk only loses the figure.
 */
export async function recordSpeed(r: SpeedRecord): Promise<SpeedRecord> {
  if (!(Number.isFinite(r.msPerImage) && r.msPerImage > 0)) return r;
  const k = keyOf(r.key);
  const old = await get<SpeedRecord>(k, db()).catch(() => undefined);
  if (old && old.source === 'run' && r.source === 'probe') return old;
  await set(k, r, db()).catch(() => undefined);
  return r;
}
