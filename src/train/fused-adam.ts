/**
 * Adam as a drop-in for `tf.train.adam(lr, beta1, beta2, epsilon)` (tfjs 4.22's AdamOptimizer) whose step
 * runs our fused kernels on WebGPU (src/gpu/kernels/adam-update.ts: 2 launches per variable with beta1 = 0,
 * 3 otherwise, instead of 13, and none for the beta^t scalars) and exactly tfjs's ops elsewhere.
 *
 * Compatible with tfjs's AdamOptimizer where it is observable:
 * - getWeights(): the iteration count, then every variable's first moment (named `<variable>/m`), then
 *   every second moment (`<variable>/v`), in the order of the variables at the first step; the tensors are
 *   the optimizer's own variables (only the count is fresh). setWeights() takes the same list, so a
 *   checkpoint written with either optimizer restores into the other (src/train/checkpoint.ts).
 * - Moments are created at the first step that sees their variable; the bias corrections use beta^t kept
 *   in float32 and multiplied once per step (as tfjs's accBeta variables; after setWeights, beta^(t+1)).
 * - A null gradient leaves its variable and moments untouched.
 * The epsilon is always explicit: tfjs's default becomes 1e-4 on WebGL.
 *
 * Tensors: after the first step, every step leaves tf.memory().numTensors as it found it.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdateOp } from '../gpu/kernels/index.ts';

/** tfjs's `{name, tensor}` weight entry (not re-exported by @tensorflow/tfjs). */
export type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

interface MomentVariable {
  originalName: string;
  variable: tf.Variable;
}

export class FusedAdamOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'FusedAdam';
  }

  /** beta1^t and beta2^t for the next step t, in float32 arithmetic like tfjs's accBeta variables. */
  private accBeta1: number;
  private accBeta2: number;
  private first: MomentVariable[] = [];
  private second: MomentVariable[] = [];

  constructor(
    readonly learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly epsilon: number,
  ) {
    super();
    if (![learningRate, beta1, beta2, epsilon].every(Number.isFinite)) throw new Error('FusedAdamOptimizer: hyper-parameters must be finite numbers');
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const step = {
      lr: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      correction1: Math.fround(1 - this.accBeta1),
      correction2: Math.fround(1 - this.accBeta2),
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (!value) throw new Error(`FusedAdamOptimizer: no variable named ${name}`);
        const m = (this.first[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const v = (this.second[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const g = Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
        if (g == null) return;
        const out = adamUpdateOp(value, g, m, v, step);
        m.assign(out.m);
        v.assign(out.v);
        value.assign(out.p);
      });
    });
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    this.incrementIterations();
  }

  override dispose(): void {
    tf.dispose([...this.first, ...this.second].map((v) => v.variable));
    this.first = [];
    this.second = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const moments = [...this.first, ...this.second].map((v) => ({ name: v.originalName, tensor: v.variable as tf.Tensor }));
    return [await this.saveIterations(), ...moments];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (rest.length % 2 !== 0) throw new Error(`FusedAdamOptimizer.setWeights: ${rest.length} moment tensors, expected pairs`);
    this.accBeta1 = Math.fround(Math.fround(this.beta1) ** (this.iterations_ + 1));
    this.accBeta2 = Math.fround(Math.fround(this.beta2) ** (this.iterations_ + 1));
    const half = rest.length / 2;
    const wrap = (w: NamedTensor): MomentVariable => ({ originalName: w.name, variable: w.tensor.variable(false) });
    const first = rest.slice(0, half).map(wrap);
    const second = rest.slice(half).map(wrap);
    // The new variables share the given tensors' data, so the old ones can go even if they were passed in.
    this.dispose();
    this.first = first;
    this.second = second;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
