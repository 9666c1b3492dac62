import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Discriminator, discriminatorPreset } from '../../src/models/discriminator.ts';
import { Generator, generatorPreset, type GanPresetName } from '../../src/models/generator.ts';
import { synthesisLayout } from '../../src/models/synthesis-layout.ts';
import { maxAbsDiff, tinyGenerator } from './gan-fixtures.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const z = (n: number, dim: number, seed: number): tf.Tensor2D => tf.randomNormal([n, dim], 0, 1, 'float32', seed) as tf.Tensor2D;

describe('synthesis layout', () => {
  it('follows StyleGAN3 geometry: growing cut-offs, margins, critical last layers, ToRGB', () => {
    for (const res of [32, 64] as const) {
      const cfg = generatorPreset('balanced', res, 3);
      const { input, layers } = synthesisLayout(cfg);
      expect(input.size).toBe(input.samplingRate + 2 * cfg.marginSize);
      expect(layers).toHaveLength(cfg.numLayers + 1);
      layers.forEach((l, i) => {
        if (i > 0) {
          expect(l.inSize).toBe(layers[i - 1]?.outSize);
          expect(l.inChannels).toBe(layers[i - 1]?.outChannels);
          expect(l.outCutoff).toBeGreaterThanOrEqual(layers[i - 1]?.outCutoff ?? Infinity);
        }
      });
      const last = layers[layers.length - 1]!;
      const beforeLast = layers[layers.length - 2]!;
      expect(last.isToRgb).toBe(true);
      expect(last.outSize).toBe(res);
      expect(last.outChannels).toBe(3);
      expect(last.filter.up).toBe(1);
      expect(beforeLast.outSize).toBe(res);
      expect(beforeLast.isCriticallySampled).toBe(true);
      expect(beforeLast.outCutoff).toBeCloseTo(res / 2, 6);
      expect(layers[0]?.inCutoff).toBe(cfg.firstCutoff);
    }
  });
});

describe('Generator', () => {
  it.each([
    [32, 1],
    [32, 3],
    [64, 1],
    [64, 3],
  ] as const)('makes %ipx images with %i channels, finite and in [-1, 1]-ish', (res, ch) => {
    const g = new Generator(tinyGenerator(res, ch));
    const zs = z(2, g.config.zDim, 1);
    const before = tf.memory().numTensors;
    const img = g.generate(zs);
    expect(img.shape).toEqual([2, res, res, ch]);
    const [lo, hi, std] = tf.tidy(() => [img.min(), img.max(), tf.moments(img).variance.sqrt()].map((t) => t.dataSync()[0] ?? NaN));
    expect(Number.isFinite(lo) && Number.isFinite(hi)).toBe(true);
    expect(Math.max(Math.abs(lo ?? 0), Math.abs(hi ?? 0))).toBeLessThan(2);
    expect(std).toBeGreaterThan(1e-3);
    img.dispose();
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });

  it('tracks w_avg and truncates toward it: psi = 0 gives w_avg, psi = 0.5 halfway', () => {
    const g = new Generator(tinyGenerator());
    const cfg = g.config;
    const zs = z(8, cfg.zDim, 2);
    const w = g.map(zs);
    tf.dispose(g.map(zs, { updateEmas: true }));
    const wAvg = g.averageW();
    // From zero, one update gives (1 - beta) * batch mean.
    expect(maxAbsDiff(wAvg, w.mean(0).mul(1 - cfg.wAvgBeta))).toBeLessThan(1e-6);
    const truncated = g.map(zs, { psi: 0 });
    expect(maxAbsDiff(truncated, wAvg.expandDims(0).tile([8, 1]))).toBeLessThan(1e-6);
    const half = g.map(zs, { psi: 0.5 });
    expect(maxAbsDiff(half, w.add(wAvg).div(2))).toBeLessThan(1e-5);
    g.dispose();
  });

  it('has stable parameter names, seeded init, and clones exactly', () => {
    const a = new Generator(tinyGenerator(32, 1, 5));
    const b = new Generator(tinyGenerator(32, 1, 5));
    const c = new Generator(tinyGenerator(32, 1, 6));
    const keys = Object.keys(a.params.all());
    expect(keys).toEqual(Object.keys(b.params.all()));
    expect(keys).toContain('mapping.fc0.weight');
    expect(keys).toContain('mapping.w_avg');
    expect(keys).toContain('synthesis.input.freqs');
    expect(keys.some((k) => /^synthesis\.L0_\d+_\d+\.affine\.weight$/.test(k))).toBe(true);
    const zs = z(2, a.config.zDim, 3);
    expect(maxAbsDiff(a.generate(zs), b.generate(zs))).toBe(0);
    expect(maxAbsDiff(a.generate(zs), c.generate(zs))).toBeGreaterThan(1e-3);
    const copy = a.clone();
    expect(maxAbsDiff(a.generate(zs), copy.generate(zs))).toBe(0);
    for (const g of [a, b, c, copy]) g.dispose();
  });

  it('gives every trainable weight a finite gradient', () => {
    const g = new Generator(tinyGenerator());
    const zs = z(2, g.config.zDim, 4);
    const target = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 5);
    const { value, grads } = tf.variableGrads(() => g.generate(zs).mul(target).mean() as tf.Scalar, g.trainableVariables());
    for (const [key, v] of Object.entries(g.params.trainable)) {
      const grad = grads[v.name];
      expect(grad, key).toBeDefined();
      const norm = tf.tidy(() => grad?.square().sum().dataSync()[0] ?? NaN);
      expect(Number.isFinite(norm), key).toBe(true);
    }
    tf.dispose([value, grads]);
    g.dispose();
  });

  it('frees all its variables on dispose', () => {
    const before = tf.memory().numTensors;
    const g = new Generator(tinyGenerator());
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('presets', () => {
  it('prints parameter counts (G and D) and keeps "fast" small', () => {
    const rows: string[] = [];
    for (const preset of ['fast', 'balanced', 'quality'] as GanPresetName[]) {
      for (const res of [32, 64] as const) {
        for (const ch of [1, 3] as const) {
          const g = new Generator(generatorPreset(preset, res, ch));
          const d = new Discriminator(discriminatorPreset(preset, res, ch));
          rows.push(`${preset.padEnd(8)} ${res}px ${ch}ch  G ${g.parameterCount().toLocaleString('en')}  D ${d.parameterCount().toLocaleString('en')}`);
          if (preset === 'fast') expect(g.parameterCount() + d.parameterCount()).toBeLessThan(250_000);
          g.dispose();
          d.dispose();
        }
      }
    }
    console.log('GAN preset parameter counts:\n' + rows.join('\n'));
  });
});
