/**
 * The app's one IndexedDB key-value store (idb-keyval over database 'ssgnet', object store 'kv').
 * Datasets, generator runs and checkpoints all live here under their own key prefixes, so a single
 * transaction can commit records of several kinds together.
 */
import { createStore, type UseStore } from 'idb-keyval';

let store: UseStore | null = null;

export function db(): UseStore {
  store ??= createStore('ssgnet', 'kv');
  return store;
}

/** Turns IndexedDB's quota failure into a message a person can act on; other errors pass through. */
export function isQuotaError(err: unknown): boolean {
  const name = err instanceof DOMException ? err.name : (err as { name?: string } | null)?.name;
  return name === 'QuotaExceededError';
}
