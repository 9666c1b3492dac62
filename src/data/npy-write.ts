/**
 * Writing NumPy .npy arrays and .npz archives, so an enhanced dataset leaves the app in the format MedMNIST
 * users already load (`np.load('x.npz')['train_images']`). The reader is npy.ts; this is its inverse for the
 * dtypes the app produces: uint8 images, masks, labels and flags, and float32 scores.
 *
 * Format 1.0: "\x93NUMPY" 0x01 0x00, header length (u16 LE), an ASCII dict padded with spaces and ended by
 * "\n" so that the data starts on a 64-byte boundary (numpy's own writer pads the same way).
 */
import { zipSync } from 'fflate';

export type WritableArray = { dtype: 'u1'; data: Uint8Array; shape: number[] } | { dtype: 'f4'; data: Float32Array; shape: number[] } | { dtype: 'i4'; data: Int32Array; shape: number[] };

/** One .npy file's bytes (C order, little-endian). */
export function encodeNpy(a: WritableArray): Uint8Array {
  const count = a.shape.reduce((p, d) => p * d, 1);
  if (count !== a.data.length) throw new Error(`encodeNpy: shape ${a.shape.join('x')} holds ${count} values but the data has ${a.data.length}`);
  if (a.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`encodeNpy: bad shape ${a.shape.join('x')}`);
  // A 1-tuple needs its trailing comma in Python: (5,) not (5).
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  const descr = a.dtype === 'u1' ? '|u1' : `<${a.dtype}`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const bytes = new Uint8Array(10 + header.length + a.data.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  // Typed arrays are little-endian on every platform a browser runs on; copy the raw bytes.
  bytes.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), 10 + header.length);
  return bytes;
}

/** An .npz archive (a zip of `<key>.npy` files, stored uncompressed as np.savez does). */
export function encodeNpz(arrays: Record<string, WritableArray>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [key, a] of Object.entries(arrays)) files[`${key}.npy`] = encodeNpy(a);
  return zipSync(files, { level: 0 });
}
