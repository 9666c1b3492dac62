/**
 * Configuration of the image classifier (a ResNet for small images) and its presets.
 *
 * The paper fine-tunes an ImageNet ResNet-50 at 224 px; no ImageNet weights can be loaded offline, so the app
 * trains from scratch at the dataset's native 28-64 px, as the MedMNIST v2 benchmark does (its ResNet-18 at
 * 28 px: 86.3 % on BreastMNIST). Small-image ResNets follow the CIFAR recipe: a 3x3 stride-1 stem without max
 * pooling (a 7x7/2 stem + pool would shrink 28 px to 7 px before the first block), four stages of residual
 * blocks, stride 2 at the start of stages 2-4, global average pooling, a linear head.
 */

export type ResidualBlockKind =
  /** Two 3x3 convolutions (ResNet-18/34). */
  | 'basic'
  /** 1x1 reduce, 3x3, 1x1 expand x4 (ResNet-50 and deeper). */
  | 'bottleneck';

export type ClassifierPresetName = 'resnet18' | 'resnet34' | 'resnet50' | 'small' | 'tiny';

export interface ClassifierConfig {
  /** Input side in pixels (square images; 28-64 intended). Only used to check inputs and size estimates. */
  inputSize: number;
  /** Image channels: 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** Number of classes (>= 2): the head's outputs. */
  numClasses: number;
  block: ResidualBlockKind;
  /** Blocks per stage; stage i (0-based) has baseWidth * 2^i channels (x4 at a bottleneck's output). */
  depths: number[];
  /** Channels of the stem and the first stage (ResNet: 64). */
  baseWidth: number;
  /**
   * Stride of the 3x3 stem (1). 2 quarters the cost of every later layer at 64 px, where a stride-1 stem makes
   * the first stage run at full resolution.
   */
  stemStride: 1 | 2;
  /**
   * Weight of the current batch in the running statistics of batch norm: running = (1 - m) running + m batch
   * (PyTorch's convention and default 0.1; Keras' momentum 0.99 is m = 0.01), after a cumulative average over
   * the first 1 / m batches (see batch-norm.ts).
   */
  bnMomentum: number;
  /** Added to the variance in batch norm (PyTorch: 1e-5). */
  bnEpsilon: number;
  /**
   * Start each residual branch's last batch-norm scale at 0, so every block begins as the identity (Goyal et
   * al. 2017): trains deep nets from scratch more stably, and barely matters for shallow ones.
   */
  zeroInitResidual: boolean;
  /** Seed of the initial weights. */
  seed: number;
}

/** What every preset leaves to the dataset. */
export interface ClassifierDataShape {
  inputSize: number;
  channels: 1 | 3;
  numClasses: number;
}

const PRESETS: Record<ClassifierPresetName, Pick<ClassifierConfig, 'block' | 'depths' | 'baseWidth'>> = {
  /** The ResNet-18 of the MedMNIST benchmark and the RECIPE (about 11.2 M parameters). */
  resnet18: { block: 'basic', depths: [2, 2, 2, 2], baseWidth: 64 },
  resnet34: { block: 'basic', depths: [3, 4, 6, 3], baseWidth: 64 },
  /** The paper's architecture (from scratch here; about 23.5 M parameters). */
  resnet50: { block: 'bottleneck', depths: [3, 4, 6, 3], baseWidth: 64 },
  /** A ResNet-10-like net 8-64 channels wide (about 78 k parameters): trains on a CPU in seconds per epoch. */
  small: { block: 'basic', depths: [1, 1, 1, 1], baseWidth: 8 },
  /** The same topology 4 channels wide: for unit tests. */
  tiny: { block: 'basic', depths: [1, 1, 1, 1], baseWidth: 4 },
};

export const CLASSIFIER_PRESETS: readonly ClassifierPresetName[] = ['resnet18', 'resnet34', 'resnet50', 'small', 'tiny'];

/** A preset for a dataset's shape; `over` replaces any field (e.g. { stemStride: 2 } at 64 px). */
export function classifierPreset(name: ClassifierPresetName, data: ClassifierDataShape, seed = 1, over: Partial<ClassifierConfig> = {}): ClassifierConfig {
  const config: ClassifierConfig = {
    ...data,
    ...PRESETS[name],
    depths: [...PRESETS[name].depths],
    stemStride: 1,
    bnMomentum: 0.1,
    bnEpsilon: 1e-5,
    zeroInitResidual: true,
    seed,
    ...over,
  };
  validateClassifierConfig(config);
  return config;
}

/** Channels at the output of stage i. */
export function stageWidth(config: ClassifierConfig, stage: number): number {
  const w = config.baseWidth * 2 ** stage;
  return config.block === 'bottleneck' ? 4 * w : w;
}

/** Spatial side after the stem and each stage (ceil division, as 'same'-padded stride-2 convolutions give). */
export function featureSides(config: ClassifierConfig): number[] {
  let side = Math.ceil(config.inputSize / config.stemStride);
  const out = [side];
  for (let i = 0; i < config.depths.length; i++) {
    if (i > 0) side = Math.ceil(side / 2);
    out.push(side);
  }
  return out;
}

/** Throws with a specific message when a config cannot build a working network. */
export function validateClassifierConfig(c: ClassifierConfig): void {
  const fail = (what: string): never => {
    throw new Error(`classifier config: ${what}`);
  };
  if (!Number.isInteger(c.inputSize) || c.inputSize < 8) fail(`inputSize must be a whole number >= 8, got ${c.inputSize}`);
  if (c.channels !== 1 && c.channels !== 3) fail(`channels must be 1 or 3, got ${c.channels}`);
  if (!Number.isInteger(c.numClasses) || c.numClasses < 2) fail(`numClasses must be >= 2, got ${c.numClasses}`);
  if (c.block !== 'basic' && c.block !== 'bottleneck') fail(`unknown block ${String(c.block)}`);
  if (c.depths.length === 0 || c.depths.some((d) => !Number.isInteger(d) || d < 1)) fail(`depths must be whole numbers >= 1, got [${c.depths.join(', ')}]`);
  if (!Number.isInteger(c.baseWidth) || c.baseWidth < 1) fail(`baseWidth must be a whole number >= 1, got ${c.baseWidth}`);
  if (c.stemStride !== 1 && c.stemStride !== 2) fail(`stemStride must be 1 or 2, got ${c.stemStride}`);
  if (!(c.bnMomentum > 0 && c.bnMomentum <= 1)) fail(`bnMomentum must be in (0, 1], got ${c.bnMomentum}`);
  if (!(c.bnEpsilon > 0)) fail(`bnEpsilon must be > 0, got ${c.bnEpsilon}`);
}
