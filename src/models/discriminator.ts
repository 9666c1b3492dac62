/**
 * The discriminator StyleGAN3 trains with: StyleGAN2's residual discriminator, NHWC.
 *
 *   image -> fromRGB (1x1) -> [block: conv3x3, conv3x3 + blur/stride-2, skip 1x1 + blur/stride-2, each
 *   branch x 1/sqrt2] ... down to 4x4 -> minibatch stddev -> conv3x3 -> FC -> FC -> one logit per image.
 *
 * Every op on the path from the image to the logit is differentiable twice (abs-based leaky ReLU, FIR
 * folded into strided convolutions), because the R1 penalty differentiates grad_x D(x) w.r.t. D's weights.
 * Equalised learning rate throughout.
 */
import * as tf from '@tensorflow/tfjs';
import type { GanPresetName, GanResolution, ImageChannels } from './generator-config.ts';
import { createDense, dense, type Dense } from './layers.ts';
import { biasActOp } from '../gpu/kernels/index.ts';
import { downsampleConv } from './ops/fir-conv.ts';
import { minibatchStddev } from './ops/minibatch-stddev.ts';
import { ParamStore } from './param-store.ts';

export interface DiscriminatorConfig {
  /** Input side in pixels (the generator's resolution). */
  resolution: GanResolution;
  /** Image channels (the generator's). */
  channels: ImageChannels;
  /** Channels at resolution r = min(channelBase / r, channelMax) (StyleGAN2/3: 32768). */
  channelBase: number;
  /** Upper bound on channels (StyleGAN2/3: 512). */
  channelMax: number;
  /** Samples per minibatch-stddev group (4); the batch must be a multiple of min(group, batch). */
  mbstdGroupSize: number;
  /** Feature maps the minibatch-stddev layer appends (1). */
  mbstdChannels: number;
  /**
   * Clamp of conv activations; null = none. StyleGAN3 clamps at 256 to keep fp16 in range; in fp32 it
   * essentially never triggers, so the default skips its cost.
   */
  convClamp: number | null;
  /** Seed of the initial weights. */
  seed: number;
}

const PRESET_SIZES: Record<GanPresetName, Pick<DiscriminatorConfig, 'channelBase' | 'channelMax'>> = {
  tiny: { channelBase: 128, channelMax: 8 },
  fast: { channelBase: 512, channelMax: 32 },
  balanced: { channelBase: 2048, channelMax: 128 },
  quality: { channelBase: 16384, channelMax: 256 },
};

export function discriminatorPreset(
  preset: GanPresetName,
  resolution: GanResolution,
  channels: ImageChannels,
  seed = 1,
): DiscriminatorConfig {
  return { resolution, channels, mbstdGroupSize: 4, mbstdChannels: 1, convClamp: null, seed, ...PRESET_SIZES[preset] };
}

/** A convolution with equalised learning rate: weight N(0,1), scaled by 1/sqrt(fan-in) at run time. */
interface Conv {
  weight: tf.Variable; // [k, k, Cin, Cout]
  bias: tf.Variable | null;
  weightGain: number;
  /** Multiplier after the activation (StyleGAN's per-layer gain; 1/sqrt2 on residual branches). */
  outGain: number;
  activation: 'linear' | 'lrelu';
  down: boolean;
}

interface Block {
  resolution: number;
  fromRgb: Conv | null;
  conv0: Conv;
  conv1: Conv;
  skip: Conv;
}

interface Epilogue {
  conv: Conv;
  fc: Dense;
  out: Dense;
}

function channelsAt(cfg: DiscriminatorConfig, res: number): number {
  return Math.min(Math.floor(cfg.channelBase / res), cfg.channelMax);
}

export class Discriminator {
  readonly config: DiscriminatorConfig;
  readonly params: ParamStore;
  private readonly blocks: Block[] = [];
  private readonly epilogue: Epilogue;

  constructor(config: DiscriminatorConfig) {
    this.config = config;
    this.params = new ParamStore(config.seed);
    const store = this.params;
    const conv = (key: string, k: number, cin: number, cout: number, o: Partial<Conv> = {}): Conv => ({
      weight: store.normal(`${key}.weight`, [k, k, cin, cout]),
      bias: o.bias === null ? null : store.constant(`${key}.bias`, [cout], 0),
      weightGain: 1 / Math.sqrt(cin * k * k),
      outGain: o.outGain ?? 1,
      activation: o.activation ?? 'lrelu',
      down: o.down ?? false,
    });

    for (let res = config.resolution; res > 4; res /= 2) {
      const tmp = channelsAt(config, res);
      const out = channelsAt(config, res / 2);
      const key = `b${res}`;
      this.blocks.push({
        resolution: res,
        fromRgb: res === config.resolution ? conv(`${key}.fromrgb`, 1, config.channels, tmp) : null,
        conv0: conv(`${key}.conv0`, 3, tmp, tmp),
        conv1: conv(`${key}.conv1`, 3, tmp, out, { down: true, outGain: Math.SQRT1_2 }),
        skip: conv(`${key}.skip`, 1, tmp, out, { down: true, bias: null, activation: 'linear', outGain: Math.SQRT1_2 }),
      });
    }
    const c4 = channelsAt(config, 4);
    this.epilogue = {
      conv: conv('b4.conv', 3, c4 + config.mbstdChannels, c4),
      fc: createDense(store, 'b4.fc', c4 * 16, c4, { activation: 'lrelu' }),
      out: createDense(store, 'b4.out', c4, 1),
    };
  }

  /** images [N, R, R, channels] in [-1, 1] -> logits [N]. */
  forward(images: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => {
      let x = images;
      for (const block of this.blocks) {
        if (block.fromRgb) x = this.runConv(block.fromRgb, x);
        const skip = this.runConv(block.skip, x);
        x = this.runConv(block.conv1, this.runConv(block.conv0, x)).add(skip);
      }
      const { conv, fc, out } = this.epilogue;
      x = minibatchStddev(x, this.config.mbstdGroupSize, this.config.mbstdChannels);
      x = this.runConv(conv, x);
      const flat = x.reshape([x.shape[0], -1]) as tf.Tensor2D;
      return dense(out, dense(fc, flat)).reshape([-1]) as tf.Tensor1D;
    });
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.params.trainable);
  }

  parameterCount(): number {
    return this.params.parameterCount();
  }

  dispose(): void {
    this.params.dispose();
  }

  private runConv(layer: Conv, x: tf.Tensor4D): tf.Tensor4D {
    const w = layer.weight.mul(layer.weightGain) as tf.Tensor4D;
    const k = w.shape[0];
    let y = layer.down ? downsampleConv(x, w) : tf.conv2d(x, w, 1, k === 1 ? 'valid' : 'same');
    // StyleGAN's bias_act: one fused kernel on WebGPU, the plain-tfjs composition elsewhere.
    const lrelu = layer.activation === 'lrelu';
    const params = {
      slope: lrelu ? 0.2 : 1,
      gain: (lrelu ? Math.SQRT2 : 1) * layer.outGain,
      clamp: this.config.convClamp === null ? null : this.config.convClamp * layer.outGain,
    };
    const identity = !layer.bias && params.slope === 1 && params.gain === 1 && params.clamp === null;
    return identity ? y : biasActOp(y, (layer.bias as tf.Tensor1D | null) ?? null, params);
  }
}
