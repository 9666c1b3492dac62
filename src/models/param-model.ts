/**
 * What every trained network here (Classifier, UNet, VMUNet) does the same way over its ParamStore: the
 * optimizer's variable list in a fixed order, the parameter count, weights as plain arrays for storage and
 * transfer, and disposal that makes later use an error instead of a silent read of freed tensors.
 */
import type * as tf from '@tensorflow/tfjs';
import { paramsFromArrays, paramsToArrays, type ParamArrays } from './param-snapshot.ts';
import type { ParamStore } from './param-store.ts';

export abstract class ParamModel {
  abstract readonly params: ParamStore;
  private disposed = false;

  /** `modelName` names the class in error messages. */
  protected constructor(private readonly modelName: string) {}

  /** Trainable variables in a fixed order (the optimizer's var list; its moments are saved in this order). */
  trainableVariables(): tf.Variable[] {
    return Object.values(this.params.trainable);
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.params.parameterCount();
  }

  /** Every weight (and batch-norm statistic) as Float32Arrays by key. */
  async getWeights(): Promise<ParamArrays> {
    this.checkAlive();
    return paramsToArrays(this.params);
  }

  /** Load getWeights() output of a model with the same config; throws, changing nothing, on a mismatch. */
  setWeights(weights: ParamArrays): void {
    this.checkAlive();
    paramsFromArrays(this.params, weights, `${this.modelName}.setWeights`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.params.dispose();
    this.disposeOwned();
  }

  /** Anything else the model owns besides its parameters (e.g. compiled patch kernels). */
  protected disposeOwned(): void {}

  protected checkAlive(): void {
    if (this.disposed) throw new Error(`${this.modelName}: used after dispose()`);
  }
}
