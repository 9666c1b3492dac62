/**
 * A flat, named collection of tf.Variables for one model: `trainable` (what the optimizer updates) and
 * `buffers` (state that is saved but not trained: running averages, fixed random frequencies).
 * Keys are stable, human-readable paths ("mapping.fc0.weight") used by checkpoints; the tf.Variable's own
 * name is left to tfjs (it must be globally unique, and one app holds many generators).
 * Random initial values are seeded from the store seed and the key, so a weight's initial value does not
 * depend on construction order or on which other layers exist.
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/rng.ts';

/** FNV-1a hash of a string, for per-parameter seeds. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class ParamStore {
  readonly trainable: Record<string, tf.Variable> = {};
  readonly buffers: Record<string, tf.Variable> = {};

  constructor(private readonly seed: number) {}

  /** Trainable weights drawn from N(0, std^2), seeded by (store seed, key). */
  normal(key: string, shape: number[], std = 1): tf.Variable {
    const seed = deriveSeed(this.seed, hashString(key));
    return this.add(key, () => tf.randomNormal(shape, 0, std, 'float32', seed), true);
  }

  /** Trainable weights with given values (or a constant fill). */
  constant(key: string, shape: number[], value: number | Float32Array): tf.Variable {
    const make = (): tf.Tensor => (typeof value === 'number' ? tf.fill(shape, value) : tf.tensor(value, shape));
    return this.add(key, make, true);
  }

  /** Non-trainable state, saved with the model. */
  buffer(key: string, shape: number[], value: number | Float32Array): tf.Variable {
    const make = (): tf.Tensor => (typeof value === 'number' ? tf.fill(shape, value) : tf.tensor(value, shape));
    return this.add(key, make, false);
  }

  /** A per-key seed, for random buffers drawn on the CPU. */
  seedFor(key: string): number {
    return deriveSeed(this.seed, hashString(key));
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return Object.values(this.trainable).reduce((n, v) => n + v.size, 0);
  }

  /** Every variable, trainable and buffers, by key (checkpoints). */
  all(): Record<string, tf.Variable> {
    return { ...this.trainable, ...this.buffers };
  }

  /** Copy values from another store with the same keys and shapes (clone, EMA init, checkpoint load). */
  assignFrom(other: ParamStore): void {
    const source = other.all();
    tf.tidy(() => {
      for (const [key, v] of Object.entries(this.all())) {
        const s = source[key];
        if (!s) throw new Error(`assignFrom: missing parameter ${key}`);
        v.assign(s);
      }
    });
  }

  dispose(): void {
    for (const v of Object.values(this.all())) v.dispose();
  }

  private add(key: string, make: () => tf.Tensor, trainable: boolean): tf.Variable {
    if (key in this.trainable || key in this.buffers) throw new Error(`duplicate parameter ${key}`);
    const v = tf.tidy(() => tf.variable(make(), trainable));
    (trainable ? this.trainable : this.buffers)[key] = v;
    return v;
  }
}
