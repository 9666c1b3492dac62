// The round loop end to end on the CPU backend with tiny shapes and an in-memory store: round 0 trains on
// real images only, later rounds on real + the selected pseudo-labels of the round before (the review's
// rejections and corrected masks included), every round's masks are stored and replaced, a stop keeps the
// finished rounds, and no tensor outlives a round.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { gaussian, mulberry32 } from '../../src/data/rng.ts';
import { CancelledError } from '../../src/data/import/import-context.ts';
import type { SegmentExperiment, SegReview } from '../../src/pipeline/seg-rounds-record.ts';
import { runRounds, type SegmentTick, type SegRoundArrays, type SegStore } from '../../src/pipeline/seg-rounds.ts';
import type { SegSyntheticSet } from '../../src/pipeline/seg-synthetic.ts';
import type { MaskSplit } from '../../src/train/seg-data.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE = 16;

function discs(n: number, seed: number): MaskSplit {
  const rand = mulberry32(seed);
  const images = new Uint8Array(n * SIZE * SIZE);
  const masks = new Uint8Array(n * SIZE * SIZE);
  for (let i = 0; i < n; i++) {
    const r = SIZE * (0.15 + 0.15 * rand());
    const cy = r + rand() * (SIZE - 2 * r);
    const cx = r + rand() * (SIZE - 2 * r);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const inside = (y - cy) ** 2 + (x - cx) ** 2 <= r * r;
        const j = (i * SIZE + y) * SIZE + x;
        masks[j] = inside ? 1 : 0;
        images[j] = Math.max(0, Math.min(255, Math.round((inside ? 190 : 70) + 20 * gaussian(rand))));
      }
    }
  }
  return { images, masks, size: SIZE, channels: 1 };
}

/** The IndexedDB store's contract on a Map, with copies in and out as IndexedDB's structured clone makes. */
class MemoryStore implements SegStore {
  readonly kv = new Map<string, unknown>();
  commits: { round: number; rounds: number }[] = [];
  async saveExperiment(e: SegmentExperiment) {
    this.kv.set(`e:${e.id}`, structuredClone(e));
  }
  async getRoundArrays(id: string, r: number) {
    const a = this.kv.get(`r:${id}:${r}`);
    if (!a) throw new Error(`no round ${r}`);
    return structuredClone(a) as SegRoundArrays;
  }
  async getCorrected(id: string, r: number) {
    return structuredClone((this.kv.get(`f:${id}:${r}`) ?? {}) as Record<string, Uint8Array>);
  }
  async commitRound(e: SegmentExperiment, r: number, arrays: SegRoundArrays, corrected: Record<string, Uint8Array>) {
    this.kv.set(`r:${e.id}:${r}`, structuredClone(arrays));
    this.kv.set(`f:${e.id}:${r}`, structuredClone(corrected));
    this.kv.set(`e:${e.id}`, structuredClone(e));
    this.commits.push({ round: r, rounds: e.rounds.length });
  }
  /** What saveSegmentReview does, on the Map. */
  review(e: SegmentExperiment, r: number, review: SegReview, corrected: Record<string, Uint8Array>) {
    e.rounds[r]!.review = review;
    this.kv.set(`f:${e.id}:${r}`, structuredClone(corrected));
  }
}

function experiment(over: Partial<SegmentExperiment['options']> = {}): SegmentExperiment {
  return {
    schema: 1,
    id: 'x',
    datasetId: 'd',
    datasetName: 'discs',
    options: { datasetId: 'd', model: 'unet', preset: 'tiny', loss: 'atvmf', training: { epochs: 2, batchSize: 8, learningRate: 0.05, augment: false }, threshold: 0, weighting: 'uniform', rounds: 2, syntheticCount: null, psi: 1, seed: 3, ...over },
    parent: null,
    backend: 'cpu',
    splitSizes: { train: 16, val: 8, test: 8 },
    testSource: 'test',
    size: SIZE,
    channels: 1,
    synthetic: [],
    status: 'running',
    message: '',
    rounds: [],
    createdAt: '',
    updatedAt: '',
    seconds: 0,
  };
}

const synthetic = (n: number): SegSyntheticSet => ({ images: discs(n, 99).images, classIndex: new Int16Array(n).fill(-1), ids: Array.from({ length: n }, (_, i) => `s${i}`) });

describe('pseudo-label rounds', () => {
  it('round 0 on real images, round 1 on real + the reviewed pseudo-labels, masks replaced, no leaked tensors', async () => {
    const store = new MemoryStore();
    const exp = experiment();
    const ticks: SegmentTick[] = [];
    const ctx = { exp, train: discs(16, 1), val: discs(8, 2), test: discs(8, 3), synthetic: synthetic(12), store, signal: new AbortController().signal, emit: (t: SegmentTick) => ticks.push(t) };
    const before = tf.memory().numTensors;
    await runRounds(ctx, 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(exp.rounds).toHaveLength(1);
    const r0 = exp.rounds[0]!;
    expect(r0).toMatchObject({ round: 0, trainReal: 16, pseudoUsed: 0, pseudoTotal: 12, bestEpoch: expect.any(Number) });
    expect(r0.curve).toHaveLength(2);
    expect(r0.curve[0]!.kappa).toEqual([0, 0]); // adaptive: 0 in the first epoch, then 32 * validation DSC
    expect(r0.curve[1]!.kappa[1]).toBeCloseTo(32 * r0.curve[0]!.valDice!, 5);
    expect(r0.predicted.meanAgreement).toBeNull();
    const a0 = await store.getRoundArrays('x', 0);
    expect(a0.masks).toHaveLength(12 * SIZE * SIZE);
    expect(Array.from(a0.agreement).every(Number.isNaN)).toBe(true);
    expect(ticks.filter((t) => t.point).map((t) => [t.round, t.epoch])).toEqual([[0, 1], [0, 2]]);
    expect(ticks.at(-1)!.result).toBe(r0);

    // The user rejects s0 and s1 and corrects s2's mask (a full square) before round 1.
    const square = new Uint8Array(SIZE * SIZE).fill(1);
    store.review(exp, 0, { overrides: { s0: 'reject', s1: 'reject', s3: 'accept' }, corrected: ['s2'] }, { s2: square });
    await runRounds(ctx, 1);
    expect(tf.memory().numTensors).toBe(before);
    const r1 = exp.rounds[1]!;
    expect(r1).toMatchObject({ round: 1, trainReal: 16, pseudoUsed: 10, pseudoTotal: 12, pseudoCorrected: 1, pseudoOverridden: 1, pseudoMeanWeight: 1 });
    expect(r1.predicted.meanAgreement).not.toBeNull();
    // Round 1's masks are new (stored beside round 0's, which stay as they were), scored against round 0's.
    const a1 = await store.getRoundArrays('x', 1);
    expect(Array.from(a1.agreement).some(Number.isNaN)).toBe(false);
    expect(Array.from((await store.getRoundArrays('x', 0)).masks)).toEqual(Array.from(a0.masks));
    // The review carried over: rejections and the corrected mask stay, the accept does not.
    expect(r1.review).toEqual({ overrides: { s0: 'reject', s1: 'reject' }, corrected: ['s2'] });
    expect(Array.from((await store.getCorrected('x', 1)).s2!)).toEqual(Array.from(square));
    expect(store.commits).toEqual([{ round: 0, rounds: 1 }, { round: 1, rounds: 2 }]);
  }, 120_000);

  it('a threshold and confidence weighting shape the next training set; a stop keeps finished rounds only', async () => {
    const store = new MemoryStore();
    const exp = experiment({ threshold: 0.999, weighting: 'confidence', training: { epochs: 1, batchSize: 8, learningRate: 0.05, augment: true } });
    const controller = new AbortController();
    const ctx = { exp, train: discs(16, 4), val: discs(8, 5), test: discs(8, 6), synthetic: synthetic(8), store, signal: controller.signal, emit: () => undefined };
    await runRounds(ctx, 0);
    const conf = (await store.getRoundArrays('x', 0)).confidence;
    const expected = Array.from(conf).filter((c) => c >= 0.999).length;
    expect(exp.rounds[0]!.predicted.aboveThreshold).toBe(expected);
    // Stop during round 1: nothing of it is stored, round 0 stays.
    const emit = (t: SegmentTick) => t.round === 1 && controller.abort();
    await expect(runRounds({ ...ctx, emit }, 2)).rejects.toBeInstanceOf(CancelledError);
    expect(exp.rounds).toHaveLength(1);
    expect(store.commits).toEqual([{ round: 0, rounds: 1 }]);
  }, 120_000);
});
