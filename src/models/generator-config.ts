/**
 * Configuration of the alias-free (StyleGAN3-T style) class generator, with StyleGAN3's defaults noted
 * and three presets sized for where training runs.
 */

export type GanResolution = 32 | 64;
export type ImageChannels = 1 | 3;
/** 'tiny' is a smoke test (CI, a first look on a slow machine): the real architecture a few channels wide. */
export type GanPresetName = 'tiny' | 'fast' | 'balanced' | 'quality';

export interface GeneratorConfig {
  /** Output side in pixels. */
  resolution: GanResolution;
  /** Image channels: 1 (grey: X-ray, mammography) or 3 (RGB: dermoscopy, endoscopy). */
  channels: ImageChannels;
  /** Latent z size (StyleGAN3: 512). */
  zDim: number;
  /** Intermediate latent w size (StyleGAN3: 512). */
  wDim: number;
  /** Fully connected layers in the mapping network (StyleGAN3: 2). */
  mappingLayers: number;
  /** Learning-rate multiplier of the mapping layers (0.01): w must move slowly relative to synthesis. */
  mappingLrMultiplier: number;
  /** Decay of the running average of w used for truncation (0.998). */
  wAvgBeta: number;
  /** Synthesis layers between the Fourier input and ToRGB (StyleGAN3: 14; fewer at 32-64 px). */
  numLayers: number;
  /** How many of the last layers are critically sampled (cut-off = Nyquist) for sharp detail (2). */
  numCritical: number;
  /** Cut-off frequency of the first layer, in cycles per image unit (2). */
  firstCutoff: number;
  /** Minimum stopband of the first layer (2^2.1). */
  firstStopband: number;
  /** Minimum stopband of the last layer relative to its cut-off (2^0.3). */
  lastStopbandRel: number;
  /**
   * Extra pixels computed around the image in the non-final layers (StyleGAN3: 10). Keeps border effects
   * out of the image; costs area quadratically, so the small presets use less.
   */
  marginSize: number;
  /** Channel count of a layer = min(channelBase / 2 / cutoff, channelMax) (StyleGAN3-T: 32768). */
  channelBase: number;
  /** Upper bound on channels per layer (StyleGAN3: 512). */
  channelMax: number;
  /** Convolution kernel of the hidden layers (3 for StyleGAN3-T, 1 for -R). */
  convKernel: number;
  /** Low-pass filter length per unit of the lower resolution when resampling (6). */
  filterSize: number;
  /** Rate of the leaky ReLU relative to the layer's sampling rate (2): room for the new frequencies. */
  lreluUpsampling: number;
  /** Clamp of the activations (256); null = none. StyleGAN3 uses it to keep fp16 in range. */
  convClamp: number | null;
  /**
   * Decay of each layer's running input magnitude (input_gain = rsqrt of it). StyleGAN3 training sets
   * 0.5 ** (batch / 20000), i.e. a half-life of 20k images; 0.999 is the network default.
   */
  magnitudeEmaBeta: number;
  /** Multiplier on the ToRGB output (0.25) so the initial images are small. */
  outputScale: number;
  /** Seed of the initial weights and of the fixed random input frequencies. */
  seed: number;
}

/** StyleGAN3-T's settings; the presets override the size-related ones. */
const STYLEGAN3_DEFAULTS: Omit<GeneratorConfig, 'resolution' | 'channels' | 'seed'> = {
  zDim: 512,
  wDim: 512,
  mappingLayers: 2,
  mappingLrMultiplier: 0.01,
  wAvgBeta: 0.998,
  numLayers: 14,
  numCritical: 2,
  firstCutoff: 2,
  firstStopband: 2 ** 2.1,
  lastStopbandRel: 2 ** 0.3,
  marginSize: 10,
  channelBase: 32768,
  channelMax: 512,
  convKernel: 3,
  filterSize: 6,
  lreluUpsampling: 2,
  convClamp: 256,
  magnitudeEmaBeta: 0.999,
  outputScale: 0.25,
};

/** Size-related settings per preset. */
const PRESET_SIZES: Record<GanPresetName, Partial<GeneratorConfig>> = {
  // Proves the whole loop runs in minutes even on a software GPU; its images stay crude.
  tiny: { zDim: 16, wDim: 16, numLayers: 3, numCritical: 1, marginSize: 1, channelBase: 64, channelMax: 8 },
  // Runs on a CPU-only machine: few thin layers, small margin.
  fast: { zDim: 64, wDim: 64, numLayers: 4, marginSize: 2, channelBase: 1024, channelMax: 32 },
  // The "lite" size the recipe names for a browser GPU (about 0.7 M synthesis parameters at 32 px).
  balanced: { zDim: 128, wDim: 128, numLayers: 7, marginSize: 4, channelBase: 1536, channelMax: 128 },
  // For a real GPU: more layers, wider, StyleGAN3's full margin.
  quality: { zDim: 256, wDim: 256, numLayers: 10, marginSize: 10, channelBase: 8192, channelMax: 256 },
};

export function generatorPreset(
  preset: GanPresetName,
  resolution: GanResolution,
  channels: ImageChannels,
  seed = 0,
): GeneratorConfig {
  return { ...STYLEGAN3_DEFAULTS, ...PRESET_SIZES[preset], resolution, channels, seed };
}
