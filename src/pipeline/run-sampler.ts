/**
 * Sampling from a stored generator run without training it: the EMA generator's weights are loaded from the
 * run's checkpoint into an inference-only Generator, kept while the same checkpoint is asked for again
 * (slider moves, interpolation frames), and replaced when a newer checkpoint exists.
 */
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { encodePng, tile } from '../data/png-encode.ts';
import { Generator } from '../models/generator.ts';
import { getCheckpoint, getRun } from './generator-runs.ts';
import { latent, render, type SampleGrid } from './sample-grid.ts';

let cached: { runId: string; step: number; g: Generator } | null = null;

/** The run's EMA generator at its latest checkpoint (cached: one at a time). */
export async function emaGenerator(runId: string): Promise<Generator> {
  const run = await getRun(runId);
  if (run.checkpointStep === null) throw new Error(`The generator for "${run.className}" has no checkpoint yet: train it for a moment first.`);
  if (cached && cached.runId === runId && cached.step === run.checkpointStep) return cached.g;
  const ckpt = await getCheckpoint(runId);
  if (!ckpt) throw new Error(`The checkpoint of run ${runId} is missing from storage.`);
  const g = new Generator(ckpt.config.generator);
  tf.tidy(() => {
    for (const [key, v] of Object.entries(g.params.all())) {
      const r = ckpt.gEma[key];
      if (!r) throw new Error(`checkpoint lacks ${key}`);
      v.assign(tf.tensor(r.data, r.shape, r.dtype));
    }
  });
  cached?.g.dispose();
  cached = { runId, step: ckpt.step, g };
  return g;
}

/** `count` samples with seeds first, first+1, ... (a seed always gives the same image of a checkpoint). */
export async function sampleRun(runId: string, firstSeed: number, count: number, psi: number): Promise<SampleGrid & { seeds: number[] }> {
  const g = await emaGenerator(runId);
  const seeds = Array.from({ length: count }, (_, i) => firstSeed + i);
  const z = tf.tidy(() => tf.concat(seeds.map((s) => latent(g, s, 0))) as tf.Tensor2D);
  try {
    return { ...(await render(g, z, psi)), seeds };
  } finally {
    z.dispose();
  }
}

/** `steps` images along the straight line between the latents of two seeds (interpolated in z). */
export async function interpolateRun(runId: string, seedA: number, seedB: number, steps: number, psi: number): Promise<SampleGrid> {
  const g = await emaGenerator(runId);
  const z = tf.tidy(() => {
    const a = latent(g, seedA, 0);
    const b = latent(g, seedB, 0);
    const t = tf.linspace(0, 1, steps).reshape([steps, 1]);
    return a.mul(tf.sub(1, t)).add(b.mul(t)) as tf.Tensor2D;
  });
  try {
    return await render(g, z, psi);
  } finally {
    z.dispose();
  }
}

/** A zip of `count` PNG samples (file names carry class, seed and truncation) plus a contact sheet. */
export async function exportSamplesZip(runId: string, firstSeed: number, count: number, psi: number): Promise<Uint8Array> {
  const run = await getRun(runId);
  const grid = await sampleRun(runId, firstSeed, count, psi);
  const per = grid.size * grid.size * grid.channels;
  const files: Record<string, Uint8Array> = {};
  const safe = run.className.replace(/[^a-z0-9_-]+/gi, '_');
  for (let i = 0; i < grid.count; i++) {
    files[`${safe}/${safe}_seed${grid.seeds[i]}_psi${psi}.png`] = await encodePng(grid.pixels.subarray(i * per, (i + 1) * per), grid.size, grid.size, grid.channels);
  }
  const sheet = tile(grid.pixels, grid.count, grid.size, grid.channels, Math.ceil(Math.sqrt(grid.count)));
  files[`${safe}_contact_sheet.png`] = await encodePng(sheet.pixels, sheet.width, sheet.height, grid.channels);
  return zipSync(files, { level: 0 }); // PNGs are already compressed
}

/** The run's preview grid as one PNG (for reports and the runner). */
export async function gridPng(runId: string, seed: number, count: number, psi: number): Promise<Uint8Array> {
  const grid = await sampleRun(runId, seed, count, psi);
  const sheet = tile(grid.pixels, grid.count, grid.size, grid.channels, Math.ceil(Math.sqrt(grid.count)));
  return encodePng(sheet.pixels, sheet.width, sheet.height, grid.channels);
}
