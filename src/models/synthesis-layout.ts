/**
 * The geometry of the StyleGAN3 synthesis network, as plain numbers: for every layer its size, channels,
 * sampling rates, cut-offs, resampling factors, filters and padding. Same formulas as StyleGAN3's
 * `SynthesisNetwork.__init__` and `SynthesisLayer.__init__`; computed once per config.
 */
import type { GeneratorConfig } from './generator-config.ts';
import { designLowpassFilter } from './ops/lowpass-filter.ts';
import type { FilteredLreluParams } from './ops/filtered-lrelu.ts';

export interface SynthesisInputSpec {
  channels: number;
  /** Side of the Fourier feature map, including margins. */
  size: number;
  samplingRate: number;
  /** Frequencies are drawn inside this radius (the first layer's cut-off). */
  bandwidth: number;
}

export interface SynthesisLayerSpec {
  /** Stable name, StyleGAN3 style: L{index}_{outSize}_{outChannels}. */
  name: string;
  isToRgb: boolean;
  isCriticallySampled: boolean;
  inChannels: number;
  outChannels: number;
  inSize: number;
  outSize: number;
  inSamplingRate: number;
  outSamplingRate: number;
  inCutoff: number;
  outCutoff: number;
  inHalfWidth: number;
  outHalfWidth: number;
  /** 1 for ToRGB. */
  convKernel: number;
  /** Everything the filtered leaky ReLU needs (bias excluded). */
  filter: FilteredLreluParams;
}

export interface SynthesisLayout {
  input: SynthesisInputSpec;
  layers: SynthesisLayerSpec[];
}

/** numpy.rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function synthesisLayout(cfg: GeneratorConfig): SynthesisLayout {
  const n = cfg.numLayers;
  if (n - cfg.numCritical < 1) throw new Error('numLayers must exceed numCritical');
  if (n < 2) throw new Error('numLayers must be at least 2');
  const res = cfg.resolution;
  const lastCutoff = res / 2;
  const lastStopband = lastCutoff * cfg.lastStopbandRel;

  // Per "level" i = 0..n (n is ToRGB): geometric progression of cut-offs and stopbands.
  const levels = Array.from({ length: n + 1 }, (_, i) => {
    const e = Math.min(i / (n - cfg.numCritical), 1);
    const cutoff = cfg.firstCutoff * (lastCutoff / cfg.firstCutoff) ** e;
    const stopband = cfg.firstStopband * (lastStopband / cfg.firstStopband) ** e;
    const samplingRate = 2 ** Math.ceil(Math.log2(Math.min(stopband * 2, res)));
    const halfWidth = Math.max(stopband, samplingRate / 2) - cutoff;
    // The last two levels are the image itself, without margins.
    const size = i >= n - 1 ? res : samplingRate + cfg.marginSize * 2;
    const channels = i === n ? cfg.channels : rint(Math.min(cfg.channelBase / 2 / cutoff, cfg.channelMax));
    return { cutoff, samplingRate, halfWidth, size, channels };
  });

  const first = levels[0]!;
  const input: SynthesisInputSpec = {
    channels: first.channels,
    size: first.size,
    samplingRate: first.samplingRate,
    bandwidth: first.cutoff,
  };

  const layers = levels.map((out, i): SynthesisLayerSpec => {
    const inp = levels[Math.max(i - 1, 0)]!;
    const isToRgb = i === n;
    const convKernel = isToRgb ? 1 : cfg.convKernel;
    const tmpRate = Math.max(inp.samplingRate, out.samplingRate) * (isToRgb ? 1 : cfg.lreluUpsampling);
    const up = Math.round(tmpRate / inp.samplingRate);
    const down = Math.round(tmpRate / out.samplingRate);
    const upTaps = up > 1 && !isToRgb ? cfg.filterSize * up : 1;
    const downTaps = down > 1 && !isToRgb ? cfg.filterSize * down : 1;
    const upFilter = designLowpassFilter(upTaps, inp.cutoff, inp.halfWidth * 2, tmpRate);
    const downFilter = designLowpassFilter(downTaps, out.cutoff, out.halfWidth * 2, tmpRate);

    // Padding so the output has exactly `out.size` samples, with sample positions shifted according to the
    // symmetric interpretation of the grid (StyleGAN3 Appendix C.3).
    let padTotal = (out.size - 1) * down + 1;
    padTotal -= (inp.size + convKernel - 1) * up;
    padTotal += upTaps + downTaps - 2;
    const padLo = Math.floor((padTotal + up) / 2);
    const padHi = padTotal - padLo;

    return {
      name: `L${i}_${out.size}_${out.channels}`,
      isToRgb,
      isCriticallySampled: i >= n - cfg.numCritical,
      inChannels: inp.channels,
      outChannels: out.channels,
      inSize: inp.size,
      outSize: out.size,
      inSamplingRate: inp.samplingRate,
      outSamplingRate: out.samplingRate,
      inCutoff: inp.cutoff,
      outCutoff: out.cutoff,
      inHalfWidth: inp.halfWidth,
      outHalfWidth: out.halfWidth,
      convKernel,
      filter: {
        up,
        down,
        upFilter,
        downFilter,
        padding: { top: padLo, bottom: padHi, left: padLo, right: padHi },
        gain: isToRgb ? 1 : Math.SQRT2,
        slope: isToRgb ? 1 : 0.2,
        clamp: cfg.convClamp,
      },
    };
  });
  return { input, layers };
}
