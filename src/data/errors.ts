/**
 * The one error type for problems with the user's data (a bad file, a full disk, a dataset that cannot be
 * used). Its message is written for the end user and is shown as is; `code` is for the program (tests,
 * telemetry-free branching in the UI), so a message can be reworded without breaking anything.
 *
 * Codes in use (others are added by the modules that throw them):
 *   npy-magic, npy-header, npy-dtype, npy-truncated, npy-shape   parsing one .npy array (npy.ts)
 *   labels-multilabel, labels-range                               turning an array into class labels (npy.ts)
 *   zip-corrupt, zip-unsupported, zip-too-large, zip-too-many-files   reading a zip archive (zip.ts)
 *   npz-not-zip, npz-missing, npz-shape, npz-dtype, npz-3d, single-class   reading a MedMNIST .npz (npz.ts)
 */
export class DataError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** 428064 -> "428,064". Written out rather than toLocaleString so messages read the same in every locale. */
export function groupDigits(n: number): string {
  const s = String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** A byte count for people: "512 bytes", "1.5 MB", "2.0 GB" (decimal units, as file managers show them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
