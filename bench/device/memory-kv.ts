/**
 * idb-keyval's API over an in-memory Map, for the Node device harness only (vite.device.config.mts aliases
 * `idb-keyval` to this file). Node has no IndexedDB; the harness runs the app's own pipeline code (imports,
 * generator runs, checkpoints, project export) and keeps its records here for the length of one process.
 * Values are structured-cloned on the way in and out, as IndexedDB does, so no caller can mutate a stored
 * record through a reference it kept.
 */
export interface UseStore {
  readonly map: Map<IDBValidKey, unknown>;
}

const stores = new Map<string, UseStore>();
const defaultStore: UseStore = { map: new Map() };

export function createStore(dbName: string, storeName: string): UseStore {
  const key = `${dbName}/${storeName}`;
  let s = stores.get(key);
  if (!s) stores.set(key, (s = { map: new Map() }));
  return s;
}

const pick = (store?: UseStore): Map<IDBValidKey, unknown> => (store ?? defaultStore).map;

export async function get<T = unknown>(key: IDBValidKey, store?: UseStore): Promise<T | undefined> {
  const v = pick(store).get(key);
  return v === undefined ? undefined : (structuredClone(v) as T);
}

export async function getMany<T = unknown>(keys: IDBValidKey[], store?: UseStore): Promise<T[]> {
  return Promise.all(keys.map((k) => get<T>(k, store))) as Promise<T[]>;
}

export async function set(key: IDBValidKey, value: unknown, store?: UseStore): Promise<void> {
  pick(store).set(key, structuredClone(value));
}

export async function setMany(pairs: [IDBValidKey, unknown][], store?: UseStore): Promise<void> {
  // All or nothing, like one IndexedDB transaction: clone everything before writing anything.
  const cloned = pairs.map(([k, v]) => [k, structuredClone(v)] as const);
  for (const [k, v] of cloned) pick(store).set(k, v);
}

export async function del(key: IDBValidKey, store?: UseStore): Promise<void> {
  pick(store).delete(key);
}

export async function delMany(keys: IDBValidKey[], store?: UseStore): Promise<void> {
  for (const k of keys) pick(store).delete(k);
}

export async function keys<K extends IDBValidKey = IDBValidKey>(store?: UseStore): Promise<K[]> {
  return [...pick(store).keys()] as K[];
}

export async function entries<K extends IDBValidKey = IDBValidKey, V = unknown>(store?: UseStore): Promise<[K, V][]> {
  return [...pick(store).entries()].map(([k, v]) => [k as K, structuredClone(v) as V]);
}
