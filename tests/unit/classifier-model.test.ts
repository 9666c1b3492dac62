// The ResNet classifier: sizes against the reference architectures, the two convolution routes against each
// other, batch norm's two modes, weight save/restore, seeding and disposal.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { batchNorm, createBatchNorm } from '../../src/models/batch-norm.ts';
import { Classifier } from '../../src/models/classifier.ts';
import { classifierPreset, featureSides, validateClassifierConfig, type ClassifierConfig } from '../../src/models/classifier-config.ts';
import { convPadded, PatchKernels } from '../../src/models/ops/conv-im2col.ts';
import { ParamStore } from '../../src/models/param-store.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const grey28 = { inputSize: 28, channels: 1 as const, numClasses: 2 };

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? NaN);
}

function images(n: number, size: number, channels: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([n, size, size, channels], -1, 1, 'float32', seed) as tf.Tensor4D;
}

describe('classifier config', () => {
  it('builds ResNet-18 and ResNet-50 with the reference parameter counts (CIFAR-style stem)', () => {
    // torchvision resnet18 for CIFAR-10 (3x3 stem, 3 channels, 10 classes) has 11,173,962 parameters; with one
    // input channel (-1,152 in the stem) and 2 classes (-4,104 in the head): 11,168,706.
    const r18 = new Classifier(classifierPreset('resnet18', grey28));
    expect(r18.parameterCount()).toBe(11_168_706);
    expect(r18.featureSize).toBe(512);
    r18.dispose();
    // torchvision resnet50: 25,557,032 with a 7x7 stem and 1000 classes; a 3x3 stem saves 7,680 and a 2-class
    // head replaces 2,049,000 by 4,098: 23,504,450.
    const r50 = new Classifier(classifierPreset('resnet50', { inputSize: 32, channels: 3, numClasses: 2 }));
    expect(r50.parameterCount()).toBe(23_504_450);
    expect(r50.featureSize).toBe(2048);
    r50.dispose();
  });

  it('knows the feature-map sides and refuses configs that cannot work', () => {
    expect(featureSides(classifierPreset('small', grey28))).toEqual([28, 28, 14, 7, 4]);
    expect(featureSides(classifierPreset('small', { ...grey28, inputSize: 64 }, 1, { stemStride: 2 }))).toEqual([32, 32, 16, 8, 4]);
    const ok = classifierPreset('tiny', grey28);
    const bad = (over: Partial<ClassifierConfig>): (() => void) => () => validateClassifierConfig({ ...ok, ...over });
    expect(bad({ numClasses: 1 })).toThrow(/numClasses/);
    expect(bad({ depths: [] })).toThrow(/depths/);
    expect(bad({ depths: [1, 0] })).toThrow(/depths/);
    expect(bad({ channels: 2 as 1 })).toThrow(/channels/);
    expect(bad({ bnMomentum: 0 })).toThrow(/bnMomentum/);
  });
});

describe('convolution routes', () => {
  it('im2col equals tf.conv2d in values and in gradients (odd sizes, stride 1 and 2, 1x1 and 3x3)', () => {
    const patches = new PatchKernels();
    for (const [k, stride, side] of [
      [3, 1, 7],
      [3, 2, 7],
      [3, 2, 8],
      [1, 1, 5],
      [1, 2, 7],
    ] as const) {
      const x = images(2, side, 3, 1);
      const w = tf.randomNormal([k, k, 3, 5], 0, 0.3, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomNormal([2, Math.ceil(side / stride), Math.ceil(side / stride), 5], 0, 1, 'float32', 3);
      const grads = (impl: 'native' | 'im2col'): tf.Tensor[] =>
        tf.grads((xx, ww) => tf.sum(tf.mul(convPadded(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, impl, patches), dy)))([x, w]);
      const yn = convPadded(x, w, stride, 'native', patches);
      const yi = convPadded(x, w, stride, 'im2col', patches);
      expect(yi.shape).toEqual([2, Math.ceil(side / stride), Math.ceil(side / stride), 5]);
      expect(maxAbsDiff(yn, yi)).toBeLessThan(1e-5);
      const [gxn, gwn] = grads('native');
      const [gxi, gwi] = grads('im2col');
      expect(maxAbsDiff(gxn!, gxi!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(gwn!, gwi!)).toBeLessThan(1e-4);
      tf.dispose([x, w, dy, yn, yi, gxn!, gwn!, gxi!, gwi!]);
    }
    patches.dispose();
  });

  it('gives the same model output either way (basic and bottleneck blocks)', () => {
    for (const block of ['basic', 'bottleneck'] as const) {
      const cfg = classifierPreset('tiny', { inputSize: 16, channels: 3, numClasses: 3 }, 4, { block });
      const a = new Classifier(cfg, { convImpl: 'native' });
      const b = new Classifier(cfg, { convImpl: 'im2col' });
      const x = images(3, 16, 3, 5);
      const ya = a.forward(x, true);
      const yb = b.forward(x, true);
      expect(ya.shape).toEqual([3, 3]);
      expect(maxAbsDiff(ya, yb)).toBeLessThan(1e-4);
      tf.dispose([x, ya, yb]);
      a.dispose();
      b.dispose();
    }
  });
});

describe('batch norm', () => {
  it('normalises with batch statistics and keeps bias-corrected running ones (training)', () => {
    const store = new ParamStore(1);
    const bn = createBatchNorm(store, 'bn', 2, { momentum: 0.1, epsilon: 1e-5 });
    // Channel 0: values 1..8, channel 1: constant 3.
    const x = tf.tensor4d(Array.from({ length: 8 }, (_, i) => [i + 1, 3]).flat(), [2, 2, 2, 2]);
    const y = batchNorm(bn, x, true);
    const [m0, v0] = [4.5, 5.25]; // mean and biased variance of 1..8
    const got = Array.from(y.dataSync());
    for (let i = 0; i < 8; i++) {
      expect(got[2 * i]).toBeCloseTo((i + 1 - m0) / Math.sqrt(v0 + 1e-5), 5);
      expect(got[2 * i + 1]).toBeCloseTo(0, 6);
    }
    const stats = (): [number[], number[]] => [Array.from(bn.runningMean.dataSync()), Array.from(bn.runningVar.dataSync())];
    // First batch: weight max(0.1, 1/1) = 1, so the initial 0 / 1 are gone; variance unbiased (x 8/7).
    let [rm, rv] = stats();
    expect(rm[0]).toBeCloseTo(4.5, 5);
    expect(rm[1]).toBeCloseTo(3, 5);
    expect(rv[0]).toBeCloseTo(6, 5);
    expect(rv[1]).toBeCloseTo(0, 5);
    // Second batch (x + 2): weight 1/2, the plain average of the two batches.
    const x2 = tf.add(x, 2) as tf.Tensor4D;
    tf.dispose(batchNorm(bn, x2, true));
    [rm, rv] = stats();
    expect(rm[0]).toBeCloseTo(5.5, 5);
    expect(rv[0]).toBeCloseTo(6, 5);
    // From batch 10 on: PyTorch's exponential average with momentum 0.1.
    bn.batchesTracked.assign(tf.scalar(20));
    tf.dispose(batchNorm(bn, x, true));
    [rm] = stats();
    expect(rm[0]).toBeCloseTo(0.9 * 5.5 + 0.1 * 4.5, 5);
    expect(bn.batchesTracked.dataSync()[0]).toBe(21);
    tf.dispose([x, x2, y]);
    store.dispose();
  });

  it('evaluation mode uses the running statistics: no state change, no dependence on the batch', () => {
    const model = new Classifier(classifierPreset('tiny', grey28, 2));
    const x = images(6, 28, 1, 9);
    // Give the running statistics non-trivial values.
    for (let i = 0; i < 3; i++) tf.dispose(model.forward(x, true));
    const before = tf.tidy(() => tf.concat(Object.values(model.params.buffers).map((v) => tf.reshape(v, [-1]))));
    const full = model.forward(x, false);
    const firstTwo = model.forward(tf.slice(x, [0, 0, 0, 0], [2, -1, -1, -1]), false);
    expect(maxAbsDiff(tf.slice(full, [0, 0], [2, -1]), firstTwo)).toBeLessThan(1e-5);
    const after = tf.tidy(() => tf.concat(Object.values(model.params.buffers).map((v) => tf.reshape(v, [-1]))));
    expect(maxAbsDiff(before, after)).toBe(0);
    // Training mode does change them.
    tf.dispose(model.forward(x, true));
    const moved = tf.tidy(() => tf.concat(Object.values(model.params.buffers).map((v) => tf.reshape(v, [-1]))));
    expect(maxAbsDiff(after, moved)).toBeGreaterThan(0);
    tf.dispose([x, before, full, firstTwo, after, moved]);
    model.dispose();
  });
});

describe('weights', () => {
  it('are seeded by the config: same seed same weights, another seed others', async () => {
    const a = new Classifier(classifierPreset('tiny', grey28, 7));
    const b = new Classifier(classifierPreset('tiny', grey28, 7));
    const c = new Classifier(classifierPreset('tiny', grey28, 8));
    const [wa, wb, wc] = await Promise.all([a.getWeights(), b.getWeights(), c.getWeights()]);
    expect(wb).toEqual(wa);
    expect(wc['conv1.weight']!.values).not.toEqual(wa['conv1.weight']!.values);
    // Zero-initialised residual branch ends, unit scales elsewhere.
    expect(Array.from(wa['layer1.0.bn2.weight']!.values).every((v) => v === 0)).toBe(true);
    expect(Array.from(wa['layer1.0.bn1.weight']!.values).every((v) => v === 1)).toBe(true);
    expect(wa['layer2.0.downsample.0.weight']!.shape).toEqual([1, 1, 4, 8]);
    expect(wa['fc.weight']!.shape).toEqual([32, 2]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('round-trip through Float32Arrays, batch-norm statistics included; a mismatch changes nothing', async () => {
    const src = new Classifier(classifierPreset('tiny', grey28, 1));
    const x = images(4, 28, 1, 3);
    tf.dispose(src.forward(x, true)); // running statistics away from their initial values
    const saved = await src.getWeights();
    expect(saved['bn1.running_mean']).toBeDefined();
    const dst = new Classifier(classifierPreset('tiny', grey28, 99));
    dst.setWeights(saved);
    const ys = src.forward(x, false);
    const yd = dst.forward(x, false);
    expect(maxAbsDiff(ys, yd)).toBe(0);
    // Wrong architecture: refused before any assignment.
    const other = new Classifier(classifierPreset('tiny', { ...grey28, numClasses: 3 }, 5));
    const before = await other.getWeights();
    expect(() => other.setWeights(saved)).toThrow(/fc\.weight/);
    expect(await other.getWeights()).toEqual(before);
    const { ['fc.bias']: _dropped, ...missing } = saved;
    expect(() => dst.setWeights(missing)).toThrow(/lack fc\.bias/);
    tf.dispose([x, ys, yd]);
    [src, dst, other].forEach((m) => m.dispose());
  });

  it('checks its input and frees every tensor on dispose', () => {
    const start = tf.memory().numTensors;
    const model = new Classifier(classifierPreset('tiny', grey28, 1));
    const x = images(2, 28, 1, 1);
    const wrongSize = images(2, 32, 1, 1);
    expect(() => model.forward(wrongSize, false)).toThrow(/expected \[N, 28, 28, 1\]/);
    tf.dispose(model.forward(x, true)); // also fills the im2col kernel cache, which dispose() must free
    model.dispose();
    tf.dispose([x, wrongSize]);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => model.forward(x, false)).toThrow(/after dispose/);
  });
});
