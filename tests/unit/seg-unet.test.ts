// The segmentation U-Net: output shapes for every decoder and channel count, its two hand-written resampling
// ops against tfjs's own, parameter counts, config checks, seeding, weight round trips and tensor hygiene.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { transposedConv2x2, UNet, upsample2x } from '../../src/models/unet.ts';
import { UNET_PRESETS, unetPreset, unetPresetTakes, validateUNetConfig, type UNetDecoder } from '../../src/models/unet-config.ts';
import { segTrainStep } from '../../src/train/segmenter-train.ts';
import { DEFAULT_ADAM, ScheduledOptimizer } from '../../src/train/scheduled-optimizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? NaN);
}

const images = (n: number, size: number, channels: number, seed: number): tf.Tensor4D =>
  tf.randomUniform([n, size, size, channels], -1, 1, 'float32', seed) as tf.Tensor4D;

describe('resampling ops', () => {
  it('transposedConv2x2 equals tf.conv2dTranspose (kernel 2, stride 2, valid)', () => {
    const x = images(2, 3, 5, 1);
    const w = tf.randomNormal([2, 2, 4, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
    const ours = transposedConv2x2(x, w);
    const ref = tf.conv2dTranspose(x, w, [2, 6, 6, 4], 2, 'valid');
    expect(ours.shape).toEqual([2, 6, 6, 4]);
    expect(maxAbsDiff(ours, ref)).toBeLessThan(1e-5);
    // Gradients with respect to input and weight agree too.
    const dy = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 3);
    const grads = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor): tf.Tensor[] => tf.grads((a, b) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
    const [gx, gw] = grads(transposedConv2x2);
    const [gxRef, gwRef] = grads((a, b) => tf.conv2dTranspose(a, b, [2, 6, 6, 4], 2, 'valid'));
    expect(maxAbsDiff(gx!, gxRef!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(gw!, gwRef!)).toBeLessThan(1e-4);
    tf.dispose([x, w, ours, ref, dy, gx!, gw!, gxRef!, gwRef!]);
  });

  it("upsample2x equals tf.image's nearest and half-pixel bilinear resize", () => {
    const x = images(2, 3, 2, 3);
    const near = upsample2x(x, 'nearest');
    const nearRef = tf.image.resizeNearestNeighbor(x, [6, 6]);
    const bil = upsample2x(x, 'bilinear');
    const bilRef = tf.image.resizeBilinear(x, [6, 6], false, true);
    expect(maxAbsDiff(near, nearRef)).toBe(0);
    expect(maxAbsDiff(bil, bilRef)).toBeLessThan(1e-6);
    tf.dispose([x, near, nearRef, bil, bilRef]);
  });
});

describe('UNet', () => {
  it('gives [B, S, S, 2] logits for every decoder, 1 and 3 channels, in both modes', () => {
    for (const decoder of ['transpose', 'resize-nearest', 'resize-bilinear'] as UNetDecoder[]) {
      for (const channels of [1, 3] as const) {
        const model = new UNet(unetPreset('tiny', { inputSize: 8, channels }, 1, { decoder }));
        const x = images(2, 8, channels, 4);
        for (const training of [true, false]) {
          const y = model.forward(x, training);
          expect(y.shape).toEqual([2, 8, 8, 2]);
          expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
          y.dispose();
        }
        expect(() => model.forward(images(1, 16, channels, 1), false)).toThrow(/expected \[B, 8, 8/);
        x.dispose();
        model.dispose();
      }
    }
  });

  it('has the expected parameter counts', () => {
    // Counted by hand from the layout in unet.ts (3x3 convs without bias + 2 BN parameters per channel, the
    // up-convolutions, a 1x1 head with bias): tiny at 1 channel 7,494; 3 channels +72 (the first conv);
    // resize-conv decoders replace each 2x2 (4 * in * out) by a 3x3 (9 * in * out): 8,294.
    const count = (channels: 1 | 3, decoder: UNetDecoder): number => {
      const m = new UNet(unetPreset('tiny', { inputSize: 8, channels }, 1, { decoder }));
      const n = m.parameterCount();
      m.dispose();
      return n;
    };
    expect(count(1, 'transpose')).toBe(7_494);
    expect(count(3, 'transpose')).toBe(7_566);
    expect(count(1, 'resize-bilinear')).toBe(8_294);
    const small = new UNet(unetPreset('small', { inputSize: 16, channels: 1 }));
    expect(small.parameterCount()).toBe(482_578);
    small.dispose();
    // compact: tiny's width at four poolings (4-64 channels), 3 channels in: encoder 74,188, decoder 47,970.
    const compact = new UNet(unetPreset('compact', { inputSize: 16, channels: 3 }));
    expect(compact.parameterCount()).toBe(122_158);
    compact.dispose();
  });

  it('rejects a side not divisible by 2^depth, with a message that says what to use', () => {
    expect(() => unetPreset('tiny', { inputSize: 18, channels: 1 })).toThrow(/input side \(18\) must be divisible by 2\^depth = 4.*use 16 or 20 px/);
    expect(() => unetPreset('standard', { inputSize: 28, channels: 1 })).toThrow(/divisible by 2\^depth = 16/);
    expect(() => unetPreset('compact', { inputSize: 28, channels: 1 })).toThrow(/divisible by 2\^depth = 16/);
    // What the size menu offers: every preset whose poolings divide the side, and agreeing with unetPreset.
    for (const side of [16, 28, 32, 64]) {
      for (const p of UNET_PRESETS) {
        let builds = true;
        try {
          unetPreset(p, { inputSize: side, channels: 1 });
        } catch {
          builds = false;
        }
        expect(unetPresetTakes(p, { inputSize: side, channels: 1 }), `${p} at ${side} px`).toBe(builds);
      }
    }
    expect(unetPresetTakes('compact', { inputSize: 28, channels: 1 })).toBe(false);
    expect(unetPresetTakes('tiny', { inputSize: 28, channels: 1 })).toBe(true);
    const ok = unetPreset('tiny', { inputSize: 16, channels: 1 });
    expect(() => validateUNetConfig({ ...ok, depth: 0 })).toThrow(/depth/);
    expect(() => validateUNetConfig({ ...ok, channels: 2 as 1 })).toThrow(/channels/);
    expect(() => validateUNetConfig({ ...ok, decoder: 'deconv' as UNetDecoder })).toThrow(/decoder/);
  });

  it('is deterministic under its seed, and round-trips its weights', async () => {
    const x = images(2, 8, 1, 5);
    const a = new UNet(unetPreset('tiny', { inputSize: 8, channels: 1 }, 7));
    const b = new UNet(unetPreset('tiny', { inputSize: 8, channels: 1 }, 7));
    const c = new UNet(unetPreset('tiny', { inputSize: 8, channels: 1 }, 8));
    const [ya, yb, yc] = [a, b, c].map((m) => m.forward(x, false)) as [tf.Tensor, tf.Tensor, tf.Tensor];
    expect(maxAbsDiff(ya, yb)).toBe(0);
    expect(maxAbsDiff(ya, yc)).toBeGreaterThan(1e-3);
    c.setWeights(await a.getWeights());
    const yc2 = c.forward(x, false);
    expect(maxAbsDiff(ya, yc2)).toBe(0);
    const other = new UNet(unetPreset('tiny', { inputSize: 8, channels: 1 }, 7, { decoder: 'resize-nearest' }));
    await expect(async () => other.setWeights(await a.getWeights())).rejects.toThrow(/dec0.up.weight/);
    tf.dispose([x, ya, yb, yc, yc2]);
    [a, b, c, other].forEach((m) => m.dispose());
    expect(() => a.forward(x, false)).toThrow(/after dispose/);
  });

  it('leaves the tensor count flat across training steps (every decoder)', () => {
    for (const decoder of ['transpose', 'resize-bilinear'] as UNetDecoder[]) {
      const model = new UNet(unetPreset('tiny', { inputSize: 8, channels: 1 }, 2, { decoder }));
      const opt = new ScheduledOptimizer(DEFAULT_ADAM, model.trainableVariables());
      const x = images(2, 8, 1, 6);
      const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([2, 8, 8], 0, 1, 'float32', 7), 0.6), 'float32')) as tf.Tensor3D;
      const w = tf.tensor1d([0.5, 1]);
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        const loss = segTrainStep(model, opt, x, y, i % 2 ? w : null, 1e-3, i < 2 ? 'atvmf' : 'bcedice', [0, 16]);
        expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
        loss.dispose();
        counts.push(tf.memory().numTensors);
      }
      // The first step fills the im2col kernel cache; every later one must leave the count unchanged.
      expect(counts.slice(1)).toEqual([counts[0], counts[0], counts[0]]);
      tf.dispose([x, y, w]);
      opt.dispose();
      model.dispose();
    }
  });
});
