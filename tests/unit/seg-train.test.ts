// Segmenter training end to end on the CPU backend: a tiny U-Net learns "bright disc = foreground", the
// adaptive kappa follows the validation DSC, the best epoch is restored, stops and NaNs end a run cleanly,
// weights reach the loss, prediction and evaluation agree, and augmentation keeps image and mask aligned.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32 } from '../../src/data/rng.ts';
import { SegmentationCounts } from '../../src/metrics/segmentation.ts';
import { UNet } from '../../src/models/unet.ts';
import { unetPreset } from '../../src/models/unet-config.ts';
import { DEFAULT_ADAM, ScheduledOptimizer } from '../../src/train/scheduled-optimizer.ts';
import { applySegAugment, DEFAULT_SEG_AUGMENT, dihedralIndexMap, drawSegAugment } from '../../src/train/seg-augment.ts';
import { concatMaskSplits, maskSplitLength, type MaskSplit } from '../../src/train/seg-data.ts';
import {
  DEFAULT_SEGMENTER_TRAINING,
  evaluateSegmenter,
  predictMasks,
  trainSegEpoch,
  trainSegmenter,
  type SegmenterTrainingConfig,
} from '../../src/train/segmenter-train.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** n grey images of side `size`: a bright disc (the mask) of random centre and radius on a noisy dark field. */
function discs(n: number, size: number, seed: number): MaskSplit {
  const rand = mulberry32(seed);
  const images = new Uint8Array(n * size * size);
  const masks = new Uint8Array(n * size * size);
  for (let i = 0; i < n; i++) {
    const r = size * (0.15 + 0.15 * rand());
    const cy = r + rand() * (size - 2 * r);
    const cx = r + rand() * (size - 2 * r);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (y - cy) ** 2 + (x - cx) ** 2 <= r * r;
        const j = (i * size + y) * size + x;
        masks[j] = inside ? 1 : 0;
        images[j] = Math.max(0, Math.min(255, Math.round((inside ? 190 : 70) + 20 * gaussian(rand))));
      }
    }
  }
  return { images, masks, size, channels: 1 };
}

const tiny = (seed: number, size = 16): UNet => new UNet(unetPreset('tiny', { inputSize: size, channels: 1 }, seed));

function config(over: Partial<SegmenterTrainingConfig>): SegmenterTrainingConfig {
  return { ...DEFAULT_SEGMENTER_TRAINING, batchSize: 8, epochs: 2, ...over };
}

describe('learning', () => {
  it('a tiny U-Net learns bright disc = foreground to test Dice > 0.8, with kappa following the validation DSC', async () => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const model = tiny(1);
    const train = discs(48, 16, 1);
    const val = discs(16, 16, 2);
    const test = discs(32, 16, 3);
    const result = await trainSegmenter(model, train, val, config({ epochs: 6, learningRate: 0.05, seed: 1 }));
    const evaluation = await evaluateSegmenter(model, test);
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `tiny U-Net, 48 discs of 16 px, 6 epochs (atvmf, SGD 0.05, poly): loss ${result.history.map((h) => h.loss.toFixed(3)).join(' -> ')}; ` +
        `val Dice ${result.history.map((h) => h.val!.dice.toFixed(3)).join(' -> ')}; kappa ${result.history.map((h) => h.kappa.map((k) => k.toFixed(1)).join('/')).join(' -> ')}; ` +
        `test Dice ${evaluation.dice.toFixed(3)}, mIoU ${evaluation.miou.toFixed(3)}; ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
    );
    expect(result.stopReason).toBe('completed');
    expect(evaluation.dice).toBeGreaterThan(0.8);
    // Kappa: 0 in epoch 0, then 32 * the previous epoch's validation DSC per class.
    expect(result.history[0]!.kappa).toEqual([0, 0]);
    for (let e = 1; e < result.history.length; e++) {
      const prev = result.history[e - 1]!.val!.dicePerClass;
      expect(result.history[e]!.kappa[0]).toBeCloseTo(32 * prev[0], 9);
      expect(result.history[e]!.kappa[1]).toBeCloseTo(32 * prev[1], 9);
    }
    expect(result.kappa[1]).toBeCloseTo(32 * result.history.at(-1)!.val!.dicePerClass[1], 9);
    // The model holds the best epoch's weights: validation gives exactly that epoch's numbers again.
    const best = result.bestEpoch!;
    expect(result.history[best]!.best).toBe(true);
    expect(result.bestValDice).toBe(Math.max(...result.history.map((h) => h.val!.dice)));
    const again = await evaluateSegmenter(model, val);
    expect(again.dice).toBe(result.history[best]!.val!.dice);
    model.dispose();
  });
});

describe('trainSegmenter', () => {
  it('stops on request, leaves no tensors behind, and refuses the adaptive loss without validation', async () => {
    const model = tiny(2);
    tf.dispose(model.forward(tf.zeros([2, 16, 16, 1]), false)); // fill the kernel cache before counting
    const before = tf.memory().numTensors;
    let epochs = 0;
    const result = await trainSegmenter(model, discs(12, 16, 4), discs(4, 16, 5), config({ epochs: 5 }), {
      onEpoch: () => void epochs++,
      shouldStop: () => epochs >= 1,
    });
    expect(result.stopReason).toBe('stopped');
    expect(result.history).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
    await expect(trainSegmenter(model, discs(4, 16, 4), null, config({}))).rejects.toThrow(/adaptive t-vMF loss needs a validation split/);
    await expect(trainSegmenter(model, discs(4, 8, 4), discs(4, 8, 4), config({}))).rejects.toThrow(/8x8x1 images for a segmenter of 16x16x1/);
    // Without validation the fixed losses train and keep the last weights.
    const plain = await trainSegmenter(model, discs(8, 16, 6), null, config({ loss: 'bcedice', epochs: 1, optimizer: DEFAULT_ADAM, learningRate: 1e-3 }));
    expect([plain.bestEpoch, plain.stopReason, plain.history[0]!.val]).toEqual([null, 'completed', null]);
    model.dispose();
  });

  it('stops with non-finite-loss when the loss becomes NaN', async () => {
    const model = tiny(3);
    const w = await model.getWeights();
    w['head.bias']!.values[1] = NaN;
    model.setWeights(w);
    const result = await trainSegmenter(model, discs(8, 16, 7), discs(4, 16, 8), config({ epochs: 3 }));
    expect(result.stopReason).toBe('non-finite-loss');
    expect(result.history).toHaveLength(0);
    model.dispose();
  });
});

describe('trainSegEpoch', () => {
  it('passes per-image weights to the loss: all-zero weights leave every trained weight unchanged', async () => {
    const model = tiny(4);
    const data = { ...discs(8, 16, 9), weights: new Float32Array(8) };
    const opt = new ScheduledOptimizer(DEFAULT_ADAM, model.trainableVariables());
    const before = await model.getWeights();
    const stats = await trainSegEpoch(model, opt, data, { epoch: 0, batchSize: 4, seed: 1, augment: DEFAULT_SEG_AUGMENT, loss: 'bcedice', kappa: [0, 0], learningRate: () => 1e-2 });
    expect(stats.loss).toBe(0);
    const after = await model.getWeights();
    expect(after['enc0.conv1.weight']!.values).toEqual(before['enc0.conv1.weight']!.values);
    expect(after['head.weight']!.values).toEqual(before['head.weight']!.values);
    // The same epoch with weight 1 moves them.
    await trainSegEpoch(model, opt, { ...data, weights: new Float32Array(8).fill(1) }, { epoch: 0, batchSize: 4, seed: 1, augment: null, loss: 'atvmf', kappa: [0, 0], learningRate: () => 1e-2 });
    expect((await model.getWeights())['head.weight']!.values).not.toEqual(before['head.weight']!.values);
    opt.dispose();
    model.dispose();
  });
});

describe('prediction and evaluation', () => {
  it('predictMasks gives probabilities and their >= 0.5 masks; evaluateSegmenter pools the same counts', async () => {
    const model = tiny(5);
    const data = discs(5, 16, 10);
    const { probs, masks } = await predictMasks(model, data, 2);
    expect(probs.length).toBe(5 * 256);
    expect(probs.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(masks.every((m, i) => m === (probs[i]! >= 0.5 ? 1 : 0))).toBe(true);
    const cpu = new SegmentationCounts().addMasks(data.masks, masks).metrics();
    const evaluation = await evaluateSegmenter(model, data, 3);
    expect([evaluation.tp, evaluation.fp, evaluation.tn, evaluation.fn]).toEqual([cpu.tp, cpu.fp, cpu.tn, cpu.fn]);
    expect(evaluation.perImageDice).toHaveLength(5);
    model.dispose();
  });
});

describe('data and augmentation', () => {
  it('keeps image and mask aligned under every drawn symmetry, reproducibly from the seed', () => {
    const data = discs(16, 9, 11);
    // Make the image encode its mask exactly (255 on the mask, else the noise clipped below 255).
    const images = data.images.map((v, i) => (data.masks[i] ? 255 : Math.min(v, 254)));
    const params = drawSegAugment(16, DEFAULT_SEG_AUGMENT, mulberry32(2));
    expect(drawSegAugment(16, DEFAULT_SEG_AUGMENT, mulberry32(2))).toEqual(params);
    expect(new Set(params.map((p) => `${p.quarterTurns}${p.flipX}`)).size).toBeGreaterThan(4);
    const out = applySegAugment(images, data.masks, 9, 1, params);
    expect(out.images.every((v, i) => (v === 255) === (out.masks[i] === 1))).toBe(true);
    // Pixels are moved, never resampled: the same multiset per image, and 3-channel images move as one.
    expect(Array.from(out.masks).reduce((s, v) => s + v, 0)).toBe(Array.from(data.masks).reduce((s, v) => s + v, 0));
    const rgb = Uint8Array.from({ length: 2 * 4 * 3 }, (_, i) => i);
    const moved = applySegAugment(rgb, new Uint8Array(8), 2, 3, [
      { quarterTurns: 1, flipX: false, flipY: false },
      { quarterTurns: 0, flipX: true, flipY: false },
    ]);
    // np.rot90([[a, b], [c, d]]) = [[b, d], [a, c]]; a left-right flip gives [[b, a], [d, c]].
    expect(Array.from(moved.images)).toEqual([3, 4, 5, 9, 10, 11, 0, 1, 2, 6, 7, 8, 15, 16, 17, 12, 13, 14, 21, 22, 23, 18, 19, 20]);
  });

  it('the 8 symmetries of the square are 8 different permutations', () => {
    const maps = new Set<string>();
    for (let k = 0; k < 4; k++) for (const flipX of [false, true]) maps.add(dihedralIndexMap({ quarterTurns: k, flipX, flipY: false }, 3).join(','));
    expect(maps.size).toBe(8);
    // An up-down flip is a half turn after a left-right flip.
    expect(dihedralIndexMap({ quarterTurns: 0, flipX: false, flipY: true }, 3)).toEqual(dihedralIndexMap({ quarterTurns: 2, flipX: true, flipY: false }, 3));
  });

  it('checks splits and joins real + weighted pseudo-labelled ones', () => {
    const a = discs(3, 8, 1);
    const b = { ...discs(2, 8, 2), weights: Float32Array.from([0.5, 0.25]) };
    const joined = concatMaskSplits(a, b);
    expect(maskSplitLength(joined)).toBe(5);
    expect(Array.from(joined.weights!)).toEqual([1, 1, 1, 0.5, 0.25]);
    expect(joined.masks.subarray(3 * 64)).toEqual(b.masks);
    expect(() => maskSplitLength({ ...a, masks: a.masks.map(() => 255) })).toThrow(/must be 0 or 1/);
    expect(() => maskSplitLength({ ...a, weights: Float32Array.from([1, -1, 1]) })).toThrow(/weights/);
    expect(() => maskSplitLength({ ...a, masks: a.masks.subarray(1) })).toThrow(/mask pixels/);
  });
});
