/**
 * The pseudo-labelling experiment as the UI sees it (RECIPE §4): the settings panel, stored experiments,
 * the live run (its ticks and per-round curves), the review of a round's pseudo-masks (accept / reject /
 * corrected mask per synthetic image), rollback and branching, and the exports (JSON / CSV). All training
 * happens in the engine; this class only asks and keeps the answers.
 *
 * The review works on a draft: setOverride / setCorrectedMask change the draft, saveReview sends the whole
 * review of the open round to the engine (only the last round's review feeds the next round; to revise an
 * earlier round, branch from it). continueRounds saves a changed draft first, so "review, then continue"
 * is one click.
 */
import type { UNetPresetName } from '../models/unet-config.ts';
import type { PseudoLabelOverride } from '../pipeline/pseudo-labels.ts';
import {
  baselineVsFinalRows,
  DEFAULT_SEG_TRAINING,
  progressionLine,
  segmentCsv,
  segmentReportRows,
  type SegContinueChanges,
  type SegEpochPoint,
  type SegModelName,
  type SegmentExperiment,
  type SegmentExperimentOptions,
  type SegRound,
  type SegRoundData,
  type SegTrainingSettings,
} from '../pipeline/seg-rounds-record.ts';
import type { SegmentTick } from '../pipeline/seg-rounds.ts';
import { decidePseudoLabels } from '../pipeline/seg-selection.ts';
import type { SegLossName } from '../train/adaptive-kappa.ts';
import type { ProgressEvent } from '../worker/protocol.ts';
import type { AppState } from './app.svelte.ts';
import type { Call } from './engine-client.ts';
import { downloadBytes, safeName } from './download.ts';

export interface SegmentSettings {
  model: SegModelName;
  preset: UNetPresetName;
  loss: SegLossName;
  /** Pseudo-label rounds after round 0 (the paper: 2). */
  rounds: number;
  /** Synthetic images to pseudo-label; null = as many as the real training images. */
  syntheticCount: number | null;
  /** Confidence threshold of the selection (0 = every pseudo-mask, the paper). */
  threshold: number;
  weighting: 'uniform' | 'confidence';
  training: SegTrainingSettings;
  psi: number;
  seed: number;
  /** Score on this dataset (all its images) instead of the data's own test split. */
  testDatasetId: string | null;
}

export const DEFAULT_SEGMENT_SETTINGS: SegmentSettings = {
  model: 'unet',
  preset: 'small',
  loss: 'atvmf',
  rounds: 2,
  syntheticCount: null,
  threshold: 0,
  weighting: 'uniform',
  training: { ...DEFAULT_SEG_TRAINING },
  psi: 1,
  seed: 42,
  testDatasetId: null,
};

/** The live run: the latest tick, the curve of each round so far (by round index), finished rounds. */
export interface LiveSegment {
  tick: SegmentTick;
  curves: Record<number, SegEpochPoint[]>;
  results: SegRound[];
}

export type SegmentOutcome = { ok: true; experiment: SegmentExperiment } | { ok: false; code: string; message: string };

/** The review being edited for the open round. */
export interface ReviewDraft {
  overrides: Record<string, PseudoLabelOverride>;
  corrected: Record<string, Uint8Array>;
}

export class SegmentState {
  experiments = $state.raw<SegmentExperiment[]>([]);
  live = $state.raw<LiveSegment | null>(null);
  settings = $state<SegmentSettings>(structuredClone(DEFAULT_SEGMENT_SETTINGS));
  /** True once a setting was changed by hand (or by the runner): suggested settings no longer replace them. */
  edited = $state(false);
  /** How the last run / continue ended, for the runner and tests. */
  lastOutcome = $state.raw<SegmentOutcome | null>(null);
  /** The experiment whose rounds are running now (null when none). */
  runningId = $state<string | null>(null);
  /** The round open in the review grid, and the draft of its review. */
  roundData = $state.raw<SegRoundData | null>(null);
  draft = $state.raw<ReviewDraft>({ overrides: {}, corrected: {} });
  draftDirty = $state(false);
  /** Another round of the open experiment, for the review's "how did each mask change" view. */
  compareData = $state.raw<SegRoundData | null>(null);

  constructor(private readonly app: AppState) {}

  experimentsFor(datasetId: string | null): SegmentExperiment[] {
    return this.experiments.filter((e) => e.datasetId === datasetId);
  }

  find(id: string): SegmentExperiment | null {
    return this.experiments.find((e) => e.id === id) ?? null;
  }

  async refresh(): Promise<void> {
    this.experiments = await this.app.engine.call('list-segment-experiments', {});
  }

  /** The panel's settings as engine options. */
  options(datasetId: string): SegmentExperimentOptions {
    const s = this.settings;
    return {
      datasetId,
      model: s.model,
      preset: s.preset,
      loss: s.loss,
      rounds: Math.floor(s.rounds),
      syntheticCount: s.syntheticCount === null ? null : Math.floor(s.syntheticCount),
      threshold: s.threshold,
      weighting: s.weighting,
      training: { ...s.training },
      psi: s.psi,
      seed: Math.floor(s.seed),
      testDatasetId: s.testDatasetId,
    };
  }

  /** The panel's round settings as changes for continue / branch. */
  changes(): SegContinueChanges {
    const s = this.settings;
    return { model: s.model, preset: s.preset, loss: s.loss, threshold: s.threshold, weighting: s.weighting, training: { ...s.training } };
  }

  /** Copies an experiment's current settings into the panel (to continue or branch with them as a start). */
  useSettingsOf(e: SegmentExperiment): void {
    const o = e.options;
    this.settings = { model: o.model, preset: o.preset, loss: o.loss, rounds: o.rounds, syntheticCount: o.syntheticCount, threshold: o.threshold, weighting: o.weighting, training: { ...o.training }, psi: o.psi, seed: o.seed, testDatasetId: o.testDatasetId ?? null };
  }

  /** A new experiment on the dataset with the panel's settings. */
  async run(datasetId: string): Promise<SegmentOutcome> {
    return this.track('Pseudo-label rounds', null, (onProgress) => this.app.engine.start('segment-experiment', { options: this.options(datasetId) }, onProgress));
  }

  /**
   * `rounds` more rounds of a stored experiment. `changes` (default: none) replace settings for the new
   * rounds; a changed review draft of its last round is saved first.
   */
  async continueRounds(experimentId: string, rounds = 1, changes: SegContinueChanges = {}): Promise<SegmentOutcome> {
    if (this.draftDirty && this.roundData?.experimentId === experimentId) {
      const saved = await this.saveReview();
      if (!saved) return (this.lastOutcome = { ok: false, code: 'bad-input', message: 'The review could not be saved; nothing was trained.' });
    }
    return this.track(`Pseudo-label rounds (+${rounds})`, experimentId, (onProgress) => this.app.engine.start('segment-continue', { experimentId, rounds, changes }, onProgress));
  }

  /** Stops the running rounds: the round in progress is dropped, finished rounds stay. */
  stop(): void {
    if (this.runningId !== null || this.app.job?.title.startsWith('Pseudo-label')) this.app.job?.cancel();
  }

  private progress(p: ProgressEvent): void {
    const t = p.segment;
    if (!t) return;
    if (this.runningId === null || this.runningId !== t.experimentId) this.runningId = t.experimentId;
    const prev = this.live && this.live.tick.experimentId === t.experimentId ? this.live : { tick: t, curves: {}, results: [] };
    const curves = t.point ? { ...prev.curves, [t.round]: [...(prev.curves[t.round] ?? []), t.point] } : prev.curves;
    this.live = { tick: t, curves, results: t.result ? [...prev.results, t.result] : prev.results };
  }

  private async track(title: string, experimentId: string | null, start: (onProgress: (p: ProgressEvent) => void) => Call<'segment-experiment' | 'segment-continue'>): Promise<SegmentOutcome> {
    this.lastOutcome = null;
    this.live = null;
    this.runningId = experimentId;
    // Progress goes to the job bar and to the live curves.
    const outcome = await this.app.runJob(title, (onProgress) =>
      start((p) => {
        onProgress(p);
        this.progress(p);
      }),
    );
    this.runningId = null;
    await this.refresh().catch(() => undefined);
    const result: SegmentOutcome = outcome.ok ? { ok: true, experiment: outcome.value } : outcome;
    if (outcome.ok && outcome.value.status === 'stopped') this.app.notice = { kind: 'info', text: outcome.value.message };
    if (outcome.ok && this.roundData?.experimentId === outcome.value.id) await this.openRound(outcome.value.id, outcome.value.rounds.length - 1);
    this.lastOutcome = result;
    return result;
  }

  async remove(id: string): Promise<void> {
    await this.app.engine.call('delete-segment-experiment', { experimentId: id });
    if (this.roundData?.experimentId === id) this.closeRound();
    await this.refresh();
  }

  // ---- review -------------------------------------------------------------------------------------------

  /** Loads round r of an experiment into the review grid (its images, masks, scores and saved review). */
  async openRound(experimentId: string, round: number): Promise<SegRoundData | null> {
    try {
      const data = await this.app.engine.call('segment-round-data', { experimentId, round });
      this.roundData = data;
      this.draft = { overrides: { ...data.review.overrides }, corrected: { ...data.correctedMasks } };
      this.draftDirty = false;
      return data;
    } catch (err) {
      this.app.notice = { kind: 'error', text: (err as Error).message };
      return null;
    }
  }

  /** Loads round r's masks beside the open round, to show what changed (read-only). */
  async openCompare(experimentId: string, round: number): Promise<void> {
    if (this.compareData?.experimentId === experimentId && this.compareData.round === round) return;
    try {
      this.compareData = await this.app.engine.call('segment-round-data', { experimentId, round });
    } catch (err) {
      this.app.notice = { kind: 'error', text: (err as Error).message };
    }
  }

  closeRound(): void {
    this.compareData = null;
    this.roundData = null;
    this.draft = { overrides: {}, corrected: {} };
    this.draftDirty = false;
  }

  /** Whether the open round can still be reviewed (only the last round feeds the next one). */
  get reviewEditable(): boolean {
    const d = this.roundData;
    const e = d ? this.find(d.experimentId) : null;
    return !!d && !!e && d.round === e.rounds.length - 1 && e.status !== 'running';
  }

  /** 'accept' / 'reject' an image of the open round, or null to go back to the threshold. */
  setOverride(imageId: string, override: PseudoLabelOverride | null): void {
    const overrides = { ...this.draft.overrides };
    if (override === null) delete overrides[imageId];
    else overrides[imageId] = override;
    this.draft = { ...this.draft, overrides };
    this.draftDirty = true;
  }

  /** Replaces an image's pseudo-mask by the user's (size x size values 0/1), or null to drop the correction. */
  setCorrectedMask(imageId: string, mask: Uint8Array | null): void {
    const corrected = { ...this.draft.corrected };
    if (mask === null) delete corrected[imageId];
    else {
      const d = this.roundData;
      if (d && mask.length !== d.size * d.size) throw new Error(`a corrected mask needs ${d.size * d.size} pixels, got ${mask.length}`);
      corrected[imageId] = Uint8Array.from(mask, (v) => (v ? 1 : 0));
    }
    this.draft = { ...this.draft, corrected };
    this.draftDirty = true;
  }

  /** Back to the saved review. */
  discardReview(): void {
    const d = this.roundData;
    this.draft = d ? { overrides: { ...d.review.overrides }, corrected: { ...d.correctedMasks } } : { overrides: {}, corrected: {} };
    this.draftDirty = false;
  }

  /** The mask an image trains with under the draft: the corrected one, else the round's prediction. */
  maskOf(index: number): Uint8Array | null {
    const d = this.roundData;
    if (!d) return null;
    const id = d.ids[index];
    if (id === undefined) return null;
    const mpx = d.size * d.size;
    return this.draft.corrected[id] ?? d.masks.subarray(index * mpx, (index + 1) * mpx);
  }

  /** Per image of the open round, under the draft and the panel's threshold: 1 if it would train the next round. */
  selection(threshold = this.settings.threshold): Uint8Array {
    const d = this.roundData;
    if (!d) return new Uint8Array(0);
    const decisions = decidePseudoLabels(d.ids, d, threshold, { overrides: this.draft.overrides, corrected: Object.keys(this.draft.corrected) });
    return Uint8Array.from(decisions, (x) => (x.accepted ? 1 : 0));
  }

  /** Sends the draft as the open round's review; returns the updated experiment, or null on refusal. */
  async saveReview(): Promise<SegmentExperiment | null> {
    const d = this.roundData;
    if (!d) return null;
    try {
      const e = await this.app.engine.call('segment-review', { experimentId: d.experimentId, round: d.round, overrides: { ...this.draft.overrides }, corrected: { ...this.draft.corrected } });
      this.draftDirty = false;
      this.roundData = { ...d, review: e.rounds[d.round]!.review, correctedMasks: { ...this.draft.corrected } };
      await this.refresh();
      return e;
    } catch (err) {
      this.app.notice = { kind: 'error', text: (err as Error).message };
      return null;
    }
  }

  // ---- rollback and branches ---------------------------------------------------------------------------

  /**
   * A new experiment holding rounds 0..round of `experimentId` (copied; the original is untouched), whose
   * next rounds use `changes`. With `rounds` > 0 it trains them at once. Returns the branch.
   */
  async branch(experimentId: string, round: number, changes: SegContinueChanges = {}, rounds = 0): Promise<SegmentExperiment | null> {
    let child: SegmentExperiment;
    try {
      child = await this.app.engine.call('segment-branch', { experimentId, round, changes });
    } catch (err) {
      this.app.notice = { kind: 'error', text: (err as Error).message };
      return null;
    }
    await this.refresh();
    this.app.notice = { kind: 'success', text: `Branched rounds 0-${round} into a new experiment; ${rounds > 0 ? 'training its next round' : 'review or change its settings, then continue it'}.` };
    if (rounds > 0) {
      const outcome = await this.continueRounds(child.id, rounds);
      return outcome.ok ? outcome.experiment : this.find(child.id);
    }
    return child;
  }

  /** Rolls back to round r: a branch with the same settings (non-destructive), opened for review. */
  async rollback(experimentId: string, round: number): Promise<SegmentExperiment | null> {
    const child = await this.branch(experimentId, round);
    if (child) await this.openRound(child.id, round);
    return child;
  }

  /** The experiments branched from `experimentId` (direct children). */
  branchesOf(experimentId: string): SegmentExperiment[] {
    return this.experiments.filter((e) => e.parent?.experimentId === experimentId);
  }

  // ---- exports ------------------------------------------------------------------------------------------

  /** Everything stored about the experiment (no images), plus report.json's `segmentation` rows. */
  json(e: SegmentExperiment): string {
    return JSON.stringify({ ...e, segmentation: segmentReportRows(e), progression_miou: progressionLine(e, 'miou'), baseline_vs_final: baselineVsFinalRows(e) }, null, 2);
  }

  csv(e: SegmentExperiment): string {
    return segmentCsv(e);
  }

  exportJson(e: SegmentExperiment): void {
    downloadBytes(this.json(e), `${safeName(e.datasetName)}-segmentation-${e.id}.json`, 'application/json');
  }

  exportCsv(e: SegmentExperiment): void {
    downloadBytes(this.csv(e), `${safeName(e.datasetName)}-segmentation-${e.id}.csv`, 'text/csv');
  }
}
