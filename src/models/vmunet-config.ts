/**
 * Configuration of VM-UNet-lite (Ruan & Xiang 2024, "VM-UNet: Vision Mamba UNet for medical image
 * segmentation") and its presets.
 *
 * VM-UNet: 4x4 patch embedding to 96 channels, four encoder stages of VSS blocks ([2, 2, 9, 2]) with patch
 * merging between them, a mirrored decoder with patch expanding and additive skips, a final x4 expanding and
 * a 1x1 convolution; d_state 16, expand 2, dt_rank ceil(C / 16); about 27 M parameters at 256 px. Here the
 * same topology is narrower and shallower for 32-128 px in a browser. The output is 2 logits per pixel
 * (background, foreground) like the U-Net's (VM-UNet itself has 1 logit and a sigmoid), so both segmenters
 * share the losses and the training loop.
 */

export type VMUNetPresetName = 'tiny' | 'small';

export interface VMUNetConfig {
  /** Input side in pixels (square images); divisible by patchSize * 2^(stages - 1). */
  inputSize: number;
  /** Image channels: 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** Side of the patch embedding's patches (VM-UNet: 4); the output is expanded back by the same factor. */
  patchSize: number;
  /** Channels after patch embedding (stage 0); stage i has embedDim * 2^i. VM-UNet: 96. A multiple of patchSize: the final expanding leaves embedDim / patchSize channels. */
  embedDim: number;
  /** VSS blocks per encoder stage, shallowest first; its length is the number of stages. VM-UNet: [2, 2, 9, 2]. */
  depths: number[];
  /** VSS blocks per decoder stage i = 0..stages-2 (stage i works at encoder stage i's size and width). */
  decoderDepths: number[];
  /** SSM state size N per channel (Mamba's d_state; VM-UNet: 16). The WGSL kernel takes N <= 16. */
  dState: number;
  /** Inner width of SS2D = expand * stage width (Mamba's expand: 2). */
  expand: number;
  /**
   * Rank of the delta projection: delta = softplus(W_up (W_down x) + bias) with W_down [E, dtRank]
   * (Mamba's dt_rank, 'auto' = ceil(stage width / 16)), or null for a full-rank delta (E -> E).
   */
  dtRank: number | 'auto' | null;
  /** Side of SS2D's depthwise convolution (VMamba: 3). */
  convKernel: number;
  /** Initial delta drawn log-uniformly in [dtMin, dtMax] (Mamba's dt_min, dt_max), stored as its softplus inverse in the bias. */
  dtMin: number;
  dtMax: number;
  /** Added to the variance in every layer norm (PyTorch: 1e-5). */
  lnEpsilon: number;
  /** Seed of the initial weights. */
  seed: number;
}

export interface VMUNetDataShape {
  inputSize: number;
  channels: 1 | 3;
}

type PresetFields = Pick<VMUNetConfig, 'embedDim' | 'depths' | 'decoderDepths' | 'dState' | 'expand' | 'dtRank'>;

const PRESETS: Record<VMUNetPresetName, PresetFields> = {
  /** 8-16 channels, two stages, N = 4 (7,794 parameters at 1 channel): unit and GPU tests. Inputs divisible by 8. */
  tiny: { embedDim: 8, depths: [1, 1], decoderDepths: [1], dState: 4, expand: 2, dtRank: 'auto' },
  /**
   * 16-128 channels, four stages, VM-UNet's N = 16 (490,914 parameters at 1 channel, like the U-Net's
   * 'small' at 482,578): 32-128 px, inputs divisible by 32.
   */
  small: { embedDim: 16, depths: [2, 2, 2, 1], decoderDepths: [2, 2, 1], dState: 16, expand: 2, dtRank: 'auto' },
};

export const VMUNET_PRESETS: readonly VMUNetPresetName[] = ['tiny', 'small'];

/** A preset for a dataset's shape; `over` replaces any field. */
export function vmunetPreset(name: VMUNetPresetName, data: VMUNetDataShape, seed = 1, over: Partial<VMUNetConfig> = {}): VMUNetConfig {
  const base = PRESETS[name];
  const config: VMUNetConfig = {
    ...data,
    patchSize: 4,
    ...base,
    depths: [...base.depths],
    decoderDepths: [...base.decoderDepths],
    convKernel: 3,
    dtMin: 0.001,
    dtMax: 0.1,
    lnEpsilon: 1e-5,
    seed,
    ...over,
  };
  validateVMUNetConfig(config);
  return config;
}

/** Channels of stage i (0 = after patch embedding). */
export function stageWidth(config: VMUNetConfig, stage: number): number {
  return config.embedDim * 2 ** stage;
}

/** The delta projection's rank at a stage width, or null for full rank. */
export function dtRankFor(config: VMUNetConfig, width: number): number | null {
  if (config.dtRank === null) return null;
  return config.dtRank === 'auto' ? Math.ceil(width / 16) : config.dtRank;
}

/** Throws with a specific message when a config cannot build a working network. */
export function validateVMUNetConfig(c: VMUNetConfig): void {
  const fail = (what: string): never => {
    throw new Error(`VM-UNet config: ${what}`);
  };
  const whole = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;
  if (c.channels !== 1 && c.channels !== 3) fail(`channels must be 1 or 3, got ${c.channels}`);
  if (!whole(c.patchSize, 1)) fail(`patchSize must be a whole number >= 1, got ${c.patchSize}`);
  const stages = c.depths.length;
  if (stages < 1 || stages > 5) fail(`depths must list 1 to 5 stages, got ${stages}`);
  if (!c.depths.every((d) => whole(d, 1))) fail(`every encoder depth must be a whole number >= 1, got [${c.depths.join(', ')}]`);
  if (c.decoderDepths.length !== stages - 1) fail(`decoderDepths must have ${stages - 1} entries (one per stage above the bottleneck), got ${c.decoderDepths.length}`);
  if (!c.decoderDepths.every((d) => whole(d, 0))) fail(`every decoder depth must be a whole number >= 0, got [${c.decoderDepths.join(', ')}]`);
  const step = c.patchSize * 2 ** (stages - 1);
  if (!whole(c.inputSize, 1) || c.inputSize % step !== 0) {
    const lower = Math.floor(c.inputSize / step) * step;
    fail(
      `the input side (${c.inputSize}) must be divisible by patchSize * 2^(stages - 1) = ${step} (patch embedding, then ${stages - 1} patch mergings); ` +
        `use ${lower > 0 ? `${lower} or ` : ''}${lower + step} px, or fewer stages`,
    );
  }
  if (!whole(c.embedDim, 1) || c.embedDim % c.patchSize !== 0) fail(`embedDim must be a whole multiple of patchSize (${c.patchSize}), got ${c.embedDim}`);
  if (!whole(c.dState, 1)) fail(`dState must be a whole number >= 1, got ${c.dState}`);
  if (!whole(c.expand, 1)) fail(`expand must be a whole number >= 1, got ${c.expand}`);
  if (c.dtRank !== null && c.dtRank !== 'auto' && !whole(c.dtRank, 1)) fail(`dtRank must be 'auto', null or a whole number >= 1, got ${c.dtRank}`);
  if (!whole(c.convKernel, 1) || c.convKernel % 2 !== 1) fail(`convKernel must be odd, got ${c.convKernel}`);
  if (!(c.dtMin > 0 && c.dtMax >= c.dtMin)) fail(`need 0 < dtMin <= dtMax, got ${c.dtMin}, ${c.dtMax}`);
  if (!(c.lnEpsilon > 0)) fail(`lnEpsilon must be > 0, got ${c.lnEpsilon}`);
}
