/**
 * A GAN training state as plain typed arrays, for IndexedDB: weights of G, D and the EMA generator (by their
 * stable ParamStore keys), both Adam optimizers' moments, the step and image counters and ADA's state.
 * The per-step random draws derive from (config.seed, step) (gan-step.ts), so the step counter is the RNG
 * state: a resumed run draws exactly what the uninterrupted one would have.
 *
 * Adam's moments are saved in the optimizer's own order, which follows the order of the variable list passed
 * at each step (the ParamStore's key order, fixed for a config), so they are restored by position. tfjs's
 * variable *names* differ between sessions and are not used.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamStore } from '../models/param-store.ts';
import type { AdaState } from './ada.ts';
import type { GanTrainingConfig } from './gan-config.ts';
import { createGanState, disposeGanState, type GanState } from './gan-state.ts';

export const CHECKPOINT_VERSION = 1;

export interface TensorRecord {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

export interface GanCheckpoint {
  version: number;
  config: GanTrainingConfig;
  step: number;
  imagesSeen: number;
  ada: AdaState;
  G: Record<string, TensorRecord>;
  D: Record<string, TensorRecord>;
  gEma: Record<string, TensorRecord>;
  /** Optimizer weights in tfjs order: the iteration counter, then first moments, then second moments. */
  optG: TensorRecord[];
  optD: TensorRecord[];
}

async function record(t: tf.Tensor): Promise<TensorRecord> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const data = (await t.data()) as Float32Array | Int32Array;
  return { shape: [...t.shape], dtype, data: dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data) };
}

async function saveParams(store: ParamStore): Promise<Record<string, TensorRecord>> {
  const out: Record<string, TensorRecord> = {};
  for (const [key, v] of Object.entries(store.all())) out[key] = await record(v);
  return out;
}

async function saveOptimizer(opt: tf.Optimizer): Promise<TensorRecord[]> {
  const weights = await opt.getWeights();
  const out: TensorRecord[] = [];
  for (const [i, w] of weights.entries()) {
    out.push(await record(w.tensor));
    // getWeights() makes a fresh scalar for the iteration count (index 0); the rest are the optimizer's own.
    if (i === 0) w.tensor.dispose();
  }
  return out;
}

export async function saveCheckpoint(state: GanState): Promise<GanCheckpoint> {
  return {
    version: CHECKPOINT_VERSION,
    config: state.config,
    step: state.step,
    imagesSeen: state.imagesSeen,
    ada: { ...state.ada },
    G: await saveParams(state.G.params),
    D: await saveParams(state.D.params),
    gEma: await saveParams(state.gEma.params),
    optG: await saveOptimizer(state.optG),
    optD: await saveOptimizer(state.optD),
  };
}

/**
 * Names the first tensor of a checkpoint holding a NaN or an infinity ("generator <key>", "D optimizer
 * weight 3"), or returns null when every value is finite. Training refuses to store such a checkpoint.
 */
export function firstNonFinite(c: GanCheckpoint): string | null {
  const groups: [string, [string, TensorRecord][]][] = [
    ['generator', Object.entries(c.G)],
    ['discriminator', Object.entries(c.D)],
    ['EMA generator', Object.entries(c.gEma)],
    ['G optimizer weight', c.optG.map((r, i) => [String(i), r])],
    ['D optimizer weight', c.optD.map((r, i) => [String(i), r])],
  ];
  for (const [what, records] of groups) {
    for (const [key, r] of records) {
      const d = r.data;
      // x - x is 0 for every finite x and NaN for NaN and the infinities.
      for (let i = 0; i < d.length; i++) if (d[i]! - d[i]! !== 0) return `${what} ${key}`;
    }
  }
  return null;
}

function loadParams(store: ParamStore, saved: Record<string, TensorRecord>, what: string): void {
  tf.tidy(() => {
    for (const [key, v] of Object.entries(store.all())) {
      const r = saved[key];
      if (!r) throw new Error(`checkpoint has no ${what} parameter ${key}: it was made by another model version`);
      if (r.shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint ${what} ${key} is ${r.shape.join('x')}, the model wants ${v.shape.join('x')}`);
      v.assign(tf.tensor(r.data, r.shape, r.dtype));
    }
  });
}

async function loadOptimizer(opt: tf.Optimizer, saved: TensorRecord[]): Promise<void> {
  if (saved.length <= 1) return; // no step was taken: nothing beyond the iteration count
  const tensors = saved.map((r) => tf.tensor(r.data, r.shape, r.dtype));
  await opt.setWeights(tensors.map((tensor, i) => ({ name: `w${i}`, tensor })));
  // setWeights makes its own variables from these; the inputs are ours to free.
  tensors.forEach((t) => t.dispose());
}

/** A fresh training state with every weight, moment and counter from the checkpoint. */
export async function restoreCheckpoint(c: GanCheckpoint): Promise<GanState> {
  if (c.version !== CHECKPOINT_VERSION) throw new Error(`checkpoint version ${c.version} cannot be read by this app (reads ${CHECKPOINT_VERSION})`);
  const state = createGanState(c.config);
  try {
    loadParams(state.G.params, c.G, 'generator');
    loadParams(state.D.params, c.D, 'discriminator');
    loadParams(state.gEma.params, c.gEma, 'EMA generator');
    await loadOptimizer(state.optG, c.optG);
    await loadOptimizer(state.optD, c.optD);
  } catch (err) {
    disposeGanState(state);
    throw err;
  }
  state.step = c.step;
  state.imagesSeen = c.imagesSeen;
  state.ada = { ...c.ada };
  return state;
}
