/**
 * What the segmentation training loop (src/train/segmenter-train.ts) needs of a segmenter, so it can take
 * the U-Net (unet.ts) or VM-UNet-lite (vmunet.ts): logits [B, S, S, 2] for images [B, S, S, C], the
 * trainable variables in a fixed order, the ParamStore (best-epoch snapshots) and the input shape it was
 * built for. Both classes satisfy it structurally.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ParamArrays } from './param-snapshot.ts';
import type { ParamStore } from './param-store.ts';

export interface Segmenter {
  readonly config: { readonly inputSize: number; readonly channels: 1 | 3 };
  readonly params: ParamStore;
  /** Logits [B, S, S, 2] (background, foreground). training = true may update running statistics. */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
  trainableVariables(): tf.Variable[];
  parameterCount(): number;
  getWeights(): Promise<ParamArrays>;
  setWeights(weights: ParamArrays): void;
  dispose(): void;
}
