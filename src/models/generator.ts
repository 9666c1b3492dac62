/**
 * The class-specific generator: a lite StyleGAN3-T (alias-free) in plain tfjs ops, NHWC.
 *
 *   z --normalise--> mapping (FC + lrelu, lr x0.01) --> w   (running average w_avg; truncation)
 *   w --> Fourier input --> [modulated conv -> filtered lrelu] x numLayers --> ToRGB (1x1, no demod) x 0.25
 *
 * Every layer reads the same w (StyleGAN3 trains without style mixing). Per-layer geometry comes from
 * `synthesisLayout`; weights live in a `ParamStore` under stable keys for checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import type { GeneratorConfig } from './generator-config.ts';
import { createDense, dense, normalizeSecondMoment, type Dense } from './layers.ts';
// The dispatching ops: our WGSL kernels on the WebGPU backend, the plain-tfjs references everywhere else.
import { demodulationCoefficientsOp, filteredLreluOp } from '../gpu/kernels/index.ts';
import { modulatedConv } from './ops/modulated-conv.ts';
import { ParamStore } from './param-store.ts';
import { createSynthesisInput, synthesisInput, type SynthesisInput } from './synthesis-input.ts';
import { synthesisLayout, type SynthesisLayerSpec, type SynthesisLayout } from './synthesis-layout.ts';

export * from './generator-config.ts';

export interface GenerateOptions {
  /** Truncation: w = w_avg + psi (w - w_avg). 1 = none, 0 = the average image. */
  psi?: number;
  /**
   * Accepted for API symmetry with StyleGAN2-style generators. StyleGAN3 has no per-pixel noise inputs
   * (they are not equivariant), so output is always noiseless and this flag changes nothing.
   */
  noiseless?: boolean;
  /** Training only: update w_avg and the layers' input-magnitude EMAs from this batch. */
  updateEmas?: boolean;
}

interface SynthesisLayer {
  spec: SynthesisLayerSpec;
  /** w -> per-input-channel styles s (bias 1, so modulation starts at identity). */
  affine: Dense;
  /** Convolution weights [k, k, Cin, Cout]. */
  weight: tf.Variable;
  /** Added inside the filtered leaky ReLU. */
  bias: tf.Variable;
  /** Running mean of the squared input; its rsqrt normalises the input ("input_gain"). */
  magnitudeEma: tf.Variable;
}

export class Generator {
  readonly config: GeneratorConfig;
  readonly layout: SynthesisLayout;
  readonly params: ParamStore;
  private readonly mapping: Dense[];
  private readonly wAvg: tf.Variable;
  private readonly input: SynthesisInput;
  private readonly layers: SynthesisLayer[];

  constructor(config: GeneratorConfig) {
    this.config = config;
    this.layout = synthesisLayout(config);
    this.params = new ParamStore(config.seed);
    const store = this.params;

    this.mapping = [];
    for (let i = 0; i < config.mappingLayers; i++) {
      const inF = i === 0 ? config.zDim : config.wDim;
      this.mapping.push(
        createDense(store, `mapping.fc${i}`, inF, config.wDim, {
          activation: 'lrelu',
          lrMultiplier: config.mappingLrMultiplier,
        }),
      );
    }
    this.wAvg = store.buffer('mapping.w_avg', [config.wDim], 0);

    this.input = createSynthesisInput(store, 'synthesis.input', config.wDim, this.layout.input);
    this.layers = this.layout.layers.map((spec) => {
      const key = `synthesis.${spec.name}`;
      const k = spec.convKernel;
      return {
        spec,
        affine: createDense(store, `${key}.affine`, config.wDim, spec.inChannels, { biasInit: 1 }),
        weight: store.normal(`${key}.weight`, [k, k, spec.inChannels, spec.outChannels]),
        bias: store.constant(`${key}.bias`, [spec.outChannels], 0),
        magnitudeEma: store.buffer(`${key}.magnitude_ema`, [], 1),
      };
    });
  }

  /** z: [N, zDim] -> w: [N, wDim]. */
  map(z: tf.Tensor2D, opts: GenerateOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let w = normalizeSecondMoment(z);
      for (const fc of this.mapping) w = dense(fc, w);
      if (opts.updateEmas) {
        const batchMean = w.mean(0);
        this.wAvg.assign(batchMean.add(this.wAvg.sub(batchMean).mul(this.config.wAvgBeta)));
      }
      const psi = opts.psi ?? 1;
      if (psi !== 1) w = this.wAvg.add(w.sub(this.wAvg).mul(psi)) as tf.Tensor2D;
      return w;
    });
  }

  /** w: [N, wDim] -> images [N, R, R, channels], roughly in [-1, 1]. */
  synthesize(w: tf.Tensor2D, opts: GenerateOptions = {}): tf.Tensor4D {
    return tf.tidy(() => {
      let x = synthesisInput(this.input, w);
      for (const layer of this.layers) x = this.runLayer(layer, x, w, opts.updateEmas ?? false);
      return x.mul(this.config.outputScale) as tf.Tensor4D;
    });
  }

  /** z: [N, zDim] -> images [N, R, R, channels]. */
  generate(z: tf.Tensor2D, opts: GenerateOptions = {}): tf.Tensor4D {
    return tf.tidy(() => this.synthesize(this.map(z, opts), opts));
  }

  /** The running average of w (a copy). */
  averageW(): tf.Tensor1D {
    return this.wAvg.clone() as tf.Tensor1D;
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.params.trainable);
  }

  parameterCount(): number {
    return this.params.parameterCount();
  }

  /** A new generator with the same config and a copy of every weight and buffer (EMA, snapshots). */
  clone(): Generator {
    const copy = new Generator(this.config);
    copy.params.assignFrom(this.params);
    return copy;
  }

  dispose(): void {
    this.params.dispose();
  }

  private runLayer(layer: SynthesisLayer, x: tf.Tensor4D, w: tf.Tensor2D, updateEmas: boolean): tf.Tensor4D {
    const { spec } = layer;
    if (updateEmas) {
      const current = x.square().mean();
      layer.magnitudeEma.assign(current.add(layer.magnitudeEma.sub(current).mul(this.config.magnitudeEmaBeta)));
    }
    const inputGain = layer.magnitudeEma.rsqrt() as tf.Scalar;
    let styles = dense(layer.affine, w);
    // ToRGB is not demodulated, so its styles carry the equalised-lr weight gain instead.
    if (spec.isToRgb) styles = styles.mul(1 / Math.sqrt(spec.inChannels * spec.convKernel ** 2));
    const y = modulatedConv(x, layer.weight as tf.Tensor4D, styles, {
      demodulate: !spec.isToRgb,
      padding: spec.convKernel - 1,
      inputGain,
      dcoef: demodulationCoefficientsOp,
    });
    return filteredLreluOp(y, layer.bias as tf.Tensor1D, spec.filter);
  }
}
