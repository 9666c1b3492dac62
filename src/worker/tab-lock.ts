/**
 * One tab owns the stored data at a time (issue 7 §2): the engine worker of the first tab holds a Web Lock for
 * its whole life; a second tab's engine finds the lock taken, becomes "secondary" (it reads and shows the
 * stored data but refuses anything that writes: imports, training, deletions, reviews) and waits in the lock's
 * queue. When the first tab closes, its worker dies, the browser releases the lock, and the waiting tab is
 * promoted. Without the Web Locks API (very old browsers) a tab acts as owner: nothing to coordinate with.
 */
import type { RequestType } from './protocol.ts';

export type TabRole = 'primary' | 'secondary';

const LOCK_NAME = 'ssgnet-engine';
const GRACE_MS = 2000;
let role: TabRole = 'primary';
let claimed = false;

export function currentRole(): TabRole {
  return role;
}

/** Requests that write to the store or train; a secondary tab refuses them. */
export const WRITING_REQUESTS: ReadonlySet<RequestType> = new Set<RequestType>([
  'import-files',
  'import-phantom',
  'rename-dataset',
  'delete-dataset',
  'train-generators',
  'measure-speed',
  'delete-generator-run',
  'classify-experiment',
  'classify-resume',
  'delete-classify-experiment',
  'segment-experiment',
  'segment-continue',
  'delete-segment-experiment',
  'segment-review',
  'segment-branch',
  'import-project',
  'inject-fault',
]);

export class OtherTabError extends Error {
  constructor() {
    super('Another tab of this app is open and owns the stored data, so this tab can only look. Use that tab, or close it: this one takes over by itself.');
    this.name = 'OtherTabError';
  }
}

/**
 * Takes the lock if it is free, else queues for it; `onPromoted` runs when a queued request is granted.
 * Resolves with the role this worker has now. Calling it again returns the current role.
 */
export async function claimEngineLock(onPromoted: () => void): Promise<TabRole> {
  if (claimed) return role;
  claimed = true;
  const locks = (globalThis.navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return (role = 'primary');
  const hold = () => new Promise<void>(() => undefined); // held until this worker ends
  // A short grace period, not ifAvailable: on a reload the old page's worker may still hold the lock for a
  // moment while it shuts down, and a reloaded tab must not come up as its own "other tab".
  const got = await new Promise<boolean>((resolve) => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), GRACE_MS);
    locks
      .request(LOCK_NAME, { signal: ctrl.signal }, () => {
        clearTimeout(timer);
        resolve(true);
        return hold();
      })
      .catch(() => resolve(false));
  });
  if (got) return (role = 'primary');
  role = 'secondary';
  void locks.request(LOCK_NAME, () => {
    role = 'primary';
    onPromoted();
    return hold();
  });
  return role;
}
