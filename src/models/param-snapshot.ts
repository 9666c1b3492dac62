/**
 * Copies of a ParamStore's values, in two forms:
 *
 * - `ParamArrays`: plain Float32Arrays by stable key, for IndexedDB, transfer out of the worker, and export.
 * - `ParamTensors`: tensor copies on the backend, for "keep the best weights so far" during training: no
 *   readback (a GPU -> CPU copy of a ResNet-18 is 45 MB and a pipeline stall). tfjs tensors are immutable
 *   (an optimizer step assigns new buffers, it never writes into old ones), so such a copy is a reference
 *   to the current buffers and costs no memory until training replaces them.
 *
 * Both hold trainable weights and buffers (batch-norm running statistics are needed to use a model).
 * Restoring checks every key and shape first, so a mismatched record leaves the model untouched.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from './param-store.ts';

export interface ParamArray {
  shape: number[];
  values: Float32Array;
}
export type ParamArrays = Record<string, ParamArray>;
export type ParamTensors = Record<string, tf.Tensor>;

/** Read every variable back as a Float32Array (awaits each readback; no dataSync). */
export async function paramsToArrays(store: ParamStore): Promise<ParamArrays> {
  const out: ParamArrays = {};
  for (const [key, v] of Object.entries(store.all())) {
    out[key] = { shape: [...v.shape], values: Float32Array.from((await v.data()) as Float32Array) };
  }
  return out;
}

/** Load values saved by paramsToArrays into a store with the same keys and shapes. */
export function paramsFromArrays(store: ParamStore, saved: ParamArrays, what = 'model'): void {
  const vars = Object.entries(store.all());
  for (const [key, v] of vars) {
    const s = saved[key];
    if (!s) throw new Error(`${what}: saved weights lack ${key} (made by another architecture?)`);
    if (s.shape.join('x') !== v.shape.join('x') || s.values.length !== v.size) {
      throw new Error(`${what}: saved ${key} is [${s.shape.join(', ')}], the model has [${v.shape.join(', ')}]`);
    }
  }
  tf.tidy(() => {
    // Copied: the CPU backend would otherwise keep a reference to the caller's array.
    for (const [key, v] of vars) v.assign(tf.tensor(Float32Array.from((saved[key] as ParamArray).values), v.shape));
  });
}

/** Tensor copies of every variable (the caller disposes them with tf.dispose(Object.values(...))). */
export function cloneParams(store: ParamStore): ParamTensors {
  const out: ParamTensors = {};
  for (const [key, v] of Object.entries(store.all())) out[key] = tf.clone(v);
  return out;
}

/** Assign tensor copies made by cloneParams back into the store (the copies stay the caller's). */
export function assignParams(store: ParamStore, saved: ParamTensors): void {
  const vars = Object.entries(store.all());
  for (const [key, v] of vars) {
    const s = saved[key];
    if (!s || s.shape.join('x') !== v.shape.join('x')) throw new Error(`assignParams: no matching copy of ${key}`);
  }
  // assign() takes a reference to the (immutable) buffer; the caller still owns and disposes its copies.
  for (const [key, v] of vars) v.assign(saved[key] as tf.Tensor);
}
