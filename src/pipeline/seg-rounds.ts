/**
 * Iterative pseudo-labelling rounds (RECIPE §4), independent of where data and records live: the caller
 * hands in the real splits, the experiment's synthetic images and a SegStore (IndexedDB in the app, a Map in
 * the tests), and this file runs rounds until the asked-for one.
 *
 * Each round:
 *   1. builds its training set: round 0 the real training images; round r >= 1 the real ones plus the
 *      synthetic images whose round r - 1 pseudo-mask is selected (confidence >= threshold, unless the
 *      user's review rejects or accepts it), a user-corrected mask replacing the predicted one;
 *   2. trains a U-Net FROM SCRATCH (the paper retrains each round rather than fine-tuning; the initial
 *      weights and batch order are the same every round, so rounds differ only by their training set),
 *      kappa and the kept epoch from the real validation split;
 *   3. scores the model on the real test split (or the external test set);
 *   4. predicts a new mask for every synthetic image, which REPLACES the previous round's (the previous one
 *      stays stored with its round), and scores it (confidence, entropy, agreement with the previous mask);
 *   5. stores the round (record, masks, scores) in one write, with the review carried over from the
 *      previous round: the user's rejections and corrected masks stay in force (a corrected mask is the
 *      user's truth, better than any prediction), their "accept"s do not (they were about the old mask).
 * A stop mid-round throws CancelledError and stores nothing of that round; finished rounds stay.
 */
import { deriveSeed } from '../data/rng.ts';
import { CancelledError } from '../data/import/import-context.ts';
import { UNet } from '../models/unet.ts';
import type { Segmenter } from '../models/segmenter.ts';
import { VMUNet } from '../models/vmunet.ts';
import { vmunetPreset, type VMUNetPresetName } from '../models/vmunet-config.ts';
import { DEFAULT_ADAMW } from '../train/scheduled-optimizer.ts';
import { DEFAULT_SCHEDULE } from '../train/lr-schedule.ts';
import { unetPreset } from '../models/unet-config.ts';
import { DEFAULT_SEG_AUGMENT } from '../train/seg-augment.ts';
import { concatMaskSplits, maskSplitLength, type MaskSplit } from '../train/seg-data.ts';
import { DEFAULT_SEGMENTER_TRAINING, evaluateSegmenter, predictMasks, trainSegmenter, type SegEpochRecord, type SegmenterTrainingConfig } from '../train/segmenter-train.ts';
import { scorePseudoLabels } from './pseudo-labels.ts';
import { carryReview, pseudoTrainingSet, type PseudoSet, type SegRoundArrays } from './seg-selection.ts';
import type { SegEpochPoint, SegReview, SegRound, SegRoundSettings, SegmentExperiment } from './seg-rounds-record.ts';
import type { SegSyntheticSet } from './seg-synthetic.ts';

/** Where rounds are kept. Implementations: seg-runs.ts (IndexedDB), a Map in the unit tests. */
export interface SegStore {
  saveExperiment(e: SegmentExperiment): Promise<void>;
  getRoundArrays(experimentId: string, round: number): Promise<SegRoundArrays>;
  getCorrected(experimentId: string, round: number): Promise<Record<string, Uint8Array>>;
  /** Writes the round's arrays, its corrected masks and the experiment record (holding the round) together. */
  commitRound(e: SegmentExperiment, round: number, arrays: SegRoundArrays, corrected: Record<string, Uint8Array>): Promise<void>;
}

export type { SegRoundArrays } from './seg-selection.ts';

export interface SegmentTick {
  experimentId: string;
  round: number;
  /** Index of the last round this run will train. */
  lastRound: number;
  epoch: number;
  epochs: number;
  message: string;
  /** Per finished epoch: the curve point (loss, validation Dice, kappa). */
  point?: SegEpochPoint;
  /** Per finished round: its record. */
  result?: SegRound;
}

export interface SegRoundsContext {
  /** Mutated: rounds are appended, status fields are left to the caller. */
  exp: SegmentExperiment;
  train: MaskSplit;
  val: MaskSplit;
  test: MaskSplit;
  synthetic: SegSyntheticSet;
  store: SegStore;
  signal: AbortSignal;
  emit: (t: SegmentTick) => void;
}

/**
 * The trainer's configuration for a round's settings: SGD + poly for the U-Net (the t-vMF authors' setting),
 * AdamW + cosine for VM-UNet-lite (VM-UNet's setting).
 */
export function segTrainingConfig(s: SegRoundSettings, seed: number): SegmenterTrainingConfig {
  return {
    ...DEFAULT_SEGMENTER_TRAINING,
    ...(s.model === 'vmunet' ? { optimizer: DEFAULT_ADAMW, schedule: DEFAULT_SCHEDULE } : {}),
    epochs: s.training.epochs,
    batchSize: s.training.batchSize,
    learningRate: s.training.learningRate,
    loss: s.loss,
    augment: s.training.augment ? DEFAULT_SEG_AUGMENT : null,
    earlyStopping: null,
    seed: deriveSeed(seed, 0x7a1),
  };
}

/** VM-UNet-lite has tiny and small sizes; the U-Net's 'standard' maps to its 'small'. */
export function vmunetSize(preset: string): VMUNetPresetName {
  return preset === 'tiny' ? 'tiny' : 'small';
}

/** The segmenter every round starts from (same seed every round: from scratch, identical initial weights). */
export function segModel(s: SegRoundSettings, size: number, channels: 1 | 3, seed: number): Segmenter {
  const init = deriveSeed(seed, 0x0e7);
  if (s.model === 'vmunet') return new VMUNet(vmunetPreset(vmunetSize(s.preset), { inputSize: size, channels }, init));
  return new UNet(unetPreset(s.preset, { inputSize: size, channels }, init));
}

function epochPoint(r: SegEpochRecord): SegEpochPoint {
  return { epoch: r.epoch, loss: r.loss, valDice: r.val?.dice ?? null, valMiou: r.val?.miou ?? null, kappa: r.kappa, learningRate: r.learningRate, seconds: r.seconds };
}

const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return xs.length ? s / xs.length : NaN;
};

/** The settings the next round trains with: the experiment's current options. */
export function roundSettings(e: SegmentExperiment): SegRoundSettings {
  const o = e.options;
  return { model: o.model, preset: o.preset, loss: o.loss, training: { ...o.training }, threshold: o.threshold, weighting: o.weighting };
}

/** Runs rounds exp.rounds.length .. lastRound (inclusive), storing each as it finishes. */
export async function runRounds(ctx: SegRoundsContext, lastRound: number): Promise<void> {
  const { exp, synthetic, store, signal } = ctx;
  const { size, channels } = exp;
  const mpx = size * size;
  const n = synthetic.ids.length;
  for (let r = exp.rounds.length; r <= lastRound; r++) {
    if (signal.aborted) throw new CancelledError();
    const t0 = performance.now();
    const settings = roundSettings(exp);
    const tick = (message: string, extra: Partial<SegmentTick> = {}) => ctx.emit({ experimentId: exp.id, round: r, lastRound, epoch: 0, epochs: settings.training.epochs, message, ...extra });
    let trainSet = ctx.train;
    let prevArrays: SegRoundArrays | null = null;
    let pseudo: PseudoSet | null = null;
    let prevReview: SegReview | null = null;
    let prevCorrected: Record<string, Uint8Array> = {};
    if (r > 0) {
      const prev = exp.rounds[r - 1]!;
      prevArrays = await store.getRoundArrays(exp.id, r - 1);
      prevReview = prev.review;
      prevCorrected = await store.getCorrected(exp.id, r - 1);
      pseudo = pseudoTrainingSet(synthetic, size, channels, prevArrays, prevReview, prevCorrected, settings.threshold, settings.weighting);
      if (pseudo.used.length > 0) trainSet = concatMaskSplits(ctx.train, pseudo.split);
    }
    const label = r === 0 ? 'round 0 (real only)' : `round ${r}`;
    tick(`${label}: training a ${settings.preset} ${settings.model === 'vmunet' ? 'VM-UNet-lite' : 'U-Net'} from scratch on ${maskSplitLength(ctx.train)} real${pseudo ? ` + ${pseudo.used.length} of ${n} pseudo-labelled` : ''} images`);
    const model = segModel(settings, size, channels, exp.options.seed);
    try {
      const fit = await trainSegmenter(model, trainSet, ctx.val, segTrainingConfig(settings, exp.options.seed), {
        shouldStop: () => signal.aborted,
        onEpoch: (e) =>
          tick(`${label}: epoch ${e.epoch + 1}/${settings.training.epochs}, loss ${e.loss.toFixed(4)}${e.val ? `, val Dice ${e.val.dice.toFixed(3)}` : ''}, kappa ${e.kappa.map((k) => k.toFixed(1)).join('/')}`, {
            epoch: e.epoch + 1,
            point: epochPoint(e),
          }),
      });
      if (signal.aborted) throw new CancelledError();
      tick(`${label}: scoring on the test images`, { epoch: fit.history.length });
      const { perImageDice: _unused, ...metrics } = await evaluateSegmenter(model, ctx.test);
      tick(`${label}: predicting ${n} pseudo-masks`, { epoch: fit.history.length });
      const pred = n > 0 ? await predictMasks(model, { images: synthetic.images, size, channels }) : { probs: new Float32Array(0), masks: new Uint8Array(0) };
      const scores = n > 0 ? scorePseudoLabels(synthetic.ids, pred.probs, mpx, prevArrays?.masks ?? null) : [];
      const arrays: SegRoundArrays = {
        masks: pred.masks,
        confidence: Float32Array.from(scores, (s) => s.confidence),
        entropy: Float32Array.from(scores, (s) => s.meanEntropy),
        agreement: Float32Array.from(scores, (s) => s.agreement ?? NaN),
      };
      const carried = carryReview(prevReview, prevCorrected);
      const above = scores.filter((s) => s.confidence >= settings.threshold).length;
      const agreements = scores.flatMap((s) => (s.agreement === null ? [] : [s.agreement]));
      const round: SegRound = {
        round: r,
        settings,
        metrics,
        curve: fit.history.map(epochPoint),
        bestEpoch: fit.bestEpoch,
        stopReason: fit.stopReason,
        trainReal: maskSplitLength(ctx.train),
        pseudoUsed: pseudo?.used.length ?? 0,
        pseudoTotal: n,
        pseudoOverridden: pseudo?.overridden ?? 0,
        pseudoCorrected: pseudo?.corrected ?? 0,
        pseudoMeanWeight: pseudo?.meanWeight ?? null,
        predicted: {
          meanConfidence: mean(arrays.confidence),
          meanEntropy: mean(arrays.entropy),
          meanAgreement: agreements.length ? mean(agreements) : null,
          aboveThreshold: above,
          foregroundShare: mean(pred.masks),
        },
        review: carried.review,
        parameters: model.parameterCount(),
        seconds: (performance.now() - t0) / 1000,
      };
      exp.rounds.push(round);
      exp.message = `${exp.rounds.length} round${exp.rounds.length === 1 ? '' : 's'} done`;
      await store.commitRound(exp, r, arrays, carried.corrected);
      tick(`${label}: test mIoU ${(100 * metrics.miou).toFixed(2)}%, Dice ${(100 * metrics.dice).toFixed(2)}%${fit.stopReason === 'non-finite-loss' ? ' (training hit a non-finite loss; the best earlier epoch was scored)' : ''}`, { epoch: fit.history.length, result: round });
    } finally {
      model.dispose();
    }
  }
}
