/**
 * Configuration of the segmentation U-Net and its presets.
 *
 * The paper's "AtvMF U-Net" is Kato & Hotta's U-Net (64-1024 channels, four 2x2 poolings, transposed-conv
 * decoder, batch norm after every convolution) trained at 224 px. In the browser the same topology runs
 * narrower and at 32-128 px; depth (number of poolings) and base width are free so a preset can fit the
 * resolution. The network always ends in 2 logits per pixel (background, foreground): the recipe's masks are
 * binary and the t-vMF loss needs one softmax channel per class.
 *
 * Decoder upsampling is an option because transposed convolutions with kernel = stride = 2 are known to
 * leave checkerboard patterns on small data (Odena et al. 2016); "resize-conv" (upsample by nearest or
 * bilinear, then a 3x3 convolution) is the usual cure. 'transpose' is the authors' choice.
 */

export type UNetDecoder =
  /** 2x2 transposed convolution with stride 2 (the authors' U-Net, Ronneberger et al.). */
  | 'transpose'
  /** Nearest-neighbour x2 upsampling, then a 3x3 convolution. */
  | 'resize-nearest'
  /** Bilinear x2 upsampling (half-pixel centres, PyTorch's align_corners=False), then a 3x3 convolution. */
  | 'resize-bilinear';

export type UNetPresetName = 'tiny' | 'compact' | 'small' | 'standard';

/** Output classes: background (0) and foreground (1). */
export const UNET_CLASSES = 2;

export interface UNetConfig {
  /** Input side in pixels (square images); must be divisible by 2^depth. */
  inputSize: number;
  /** Image channels: 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** Number of 2x2 poolings (levels below the full-resolution one). 4 in the original U-Net. */
  depth: number;
  /** Channels at full resolution; level i has baseWidth * 2^i (the original: 64). */
  baseWidth: number;
  decoder: UNetDecoder;
  /** Weight of the current batch in batch norm's running statistics (PyTorch's momentum 0.1). */
  bnMomentum: number;
  /** Added to the variance in batch norm (PyTorch: 1e-5). */
  bnEpsilon: number;
  /** Seed of the initial weights. */
  seed: number;
}

/** What every preset leaves to the dataset. */
export interface UNetDataShape {
  inputSize: number;
  channels: 1 | 3;
}

const PRESETS: Record<UNetPresetName, Pick<UNetConfig, 'depth' | 'baseWidth' | 'decoder'>> = {
  /** 4-16 channels, two poolings (7,494 parameters at 1 channel): unit tests and phantom smoke runs. */
  tiny: { depth: 2, baseWidth: 4, decoder: 'transpose' },
  /**
   * The original's four poolings at tiny's width, 4-64 channels (about 0.12 M parameters at 3 channels; inputs
   * divisible by 16): the receptive field spans a 64 px image, which a lesion filling most of it needs (tiny's
   * sees about 47 px), for about twice tiny's arithmetic; on lavapipe 1.3x its time per epoch. The preset for a CPU
   * or software adapter.
   */
  compact: { depth: 4, baseWidth: 4, decoder: 'transpose' },
  /** 16-128 channels, three poolings (about 0.48 M parameters): trains on a CPU/laptop GPU at 32-64 px. */
  small: { depth: 3, baseWidth: 16, decoder: 'transpose' },
  /** Ronneberger's / Kato & Hotta's width and depth, 64-1024 channels (about 31.0 M parameters): needs a real GPU. */
  standard: { depth: 4, baseWidth: 64, decoder: 'transpose' },
};

export const UNET_PRESETS: readonly UNetPresetName[] = ['tiny', 'compact', 'small', 'standard'];

/** A preset for a dataset's shape; `over` replaces any field (e.g. { decoder: 'resize-bilinear' }). */
export function unetPreset(name: UNetPresetName, data: UNetDataShape, seed = 1, over: Partial<UNetConfig> = {}): UNetConfig {
  const config: UNetConfig = { ...data, ...PRESETS[name], bnMomentum: 0.1, bnEpsilon: 1e-5, seed, ...over };
  validateUNetConfig(config);
  return config;
}

/** Whether a preset can take the data at all (its side divisible by 2^depth): what a size menu may offer. */
export function unetPresetTakes(name: UNetPresetName, data: UNetDataShape): boolean {
  return data.inputSize % 2 ** PRESETS[name].depth === 0;
}

/** Channels at level i (0 = full resolution, depth = the bottleneck). */
export function levelWidth(config: UNetConfig, level: number): number {
  return config.baseWidth * 2 ** level;
}

/** Throws with a specific message when a config cannot build a working network. */
export function validateUNetConfig(c: UNetConfig): void {
  const fail = (what: string): never => {
    throw new Error(`U-Net config: ${what}`);
  };
  if (!Number.isInteger(c.depth) || c.depth < 1 || c.depth > 6) fail(`depth must be a whole number in 1..6, got ${c.depth}`);
  if (!Number.isInteger(c.inputSize) || c.inputSize < 2) fail(`inputSize must be a whole number >= 2, got ${c.inputSize}`);
  const step = 2 ** c.depth;
  if (c.inputSize % step !== 0) {
    const lower = Math.floor(c.inputSize / step) * step;
    fail(
      `the input side (${c.inputSize}) must be divisible by 2^depth = ${step} (each of the ${c.depth} poolings halves it exactly); ` +
        `use ${lower > 0 ? `${lower} or ` : ''}${lower + step} px, or a smaller depth`,
    );
  }
  if (c.channels !== 1 && c.channels !== 3) fail(`channels must be 1 or 3, got ${c.channels}`);
  if (!Number.isInteger(c.baseWidth) || c.baseWidth < 1) fail(`baseWidth must be a whole number >= 1, got ${c.baseWidth}`);
  if (c.decoder !== 'transpose' && c.decoder !== 'resize-nearest' && c.decoder !== 'resize-bilinear') fail(`unknown decoder ${String(c.decoder)}`);
  if (!(c.bnMomentum > 0 && c.bnMomentum <= 1)) fail(`bnMomentum must be in (0, 1], got ${c.bnMomentum}`);
  if (!(c.bnEpsilon > 0)) fail(`bnEpsilon must be > 0, got ${c.bnEpsilon}`);
}
