import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { probeSpeed } from '../../src/pipeline/speed-probe.ts';
import { ganRunSpeeds } from '../../src/pipeline/run-speeds.ts';
import type { GeneratorRunMeta } from '../../src/pipeline/generator-runs.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('speed probe', () => {
  it.each([
    { kind: 'gan', preset: 'tiny', resolution: 32, channels: 1, batchSize: 4 },
    { kind: 'classify', preset: 'tiny', size: 28, channels: 1, numClasses: 2, batchSize: 8 },
    { kind: 'segment', model: 'unet', preset: 'tiny', size: 32, channels: 1, batchSize: 2, loss: 'atvmf' },
  ] as const)('times the real $kind step and leaves no tensor behind', async (job) => {
    const before = tf.memory().numTensors;
    const r = await probeSpeed(job);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.source).toBe('probe');
    expect(r.msPerImage).toBeGreaterThan(0);
    expect(Number.isFinite(r.msPerImage)).toBe(true);
    expect(r.key.startsWith(job.kind)).toBe(true);
  }, 120_000);

  it('stops when cancelled, still leaving nothing behind', async () => {
    const before = tf.memory().numTensors;
    const c = new AbortController();
    c.abort();
    await expect(probeSpeed({ kind: 'classify', preset: 'tiny', size: 28, channels: 1, numClasses: 2, batchSize: 4 }, c.signal)).rejects.toThrow(/Cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});

describe('speeds from real runs', () => {
  const run = (over: Partial<GeneratorRunMeta>): GeneratorRunMeta =>
    ({ id: 'a', className: 'benign', preset: 'fast', resolution: 32, channels: 1, batchSize: 16, step: 100, imagesSeen: 1600, seconds: 320, updatedAt: '2026-11-26T00:00:00Z', ...over }) as GeneratorRunMeta;

  it('averages step seconds over images, only for runs that trained in this job and long enough', () => {
    const out = ganRunSpeeds([run({}), run({ id: 'b' }), run({ id: 'c', step: 3 })], new Set(['a', 'c']));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ key: 'gan|fast|32px|1ch|b16', source: 'run', msPerImage: 200 });
  });
});
