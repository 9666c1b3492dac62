/**
 * The guided workflow: Data -> Generators -> Synthetic samples -> Classify -> Segment and rounds -> Report,
 * with each step's state for the selected dataset and the one thing to do next. Pure: computed from what
 * is stored, so a reload or a second visit lands on the same advice.
 */
import type { DatasetMeta } from '../data/store-types.ts';
import type { ClassifyExperiment } from '../pipeline/classify-record.ts';
import type { GeneratorRunMeta } from '../pipeline/generator-runs.ts';
import type { SegmentExperiment } from '../pipeline/seg-rounds-record.ts';
import type { View } from './app.svelte.ts';

export type StepState = 'done' | 'todo' | 'not-applicable';

export interface WorkflowStep {
  view: View;
  label: string;
  state: StepState;
}

export interface WorkflowInput {
  dataset: DatasetMeta | null;
  runs: readonly GeneratorRunMeta[];
  /** Generator ids whose samples the user opened in this page. */
  samplesSeen: boolean;
  classify: readonly ClassifyExperiment[];
  segment: readonly SegmentExperiment[];
}

/** Work a closed tab or a stopped engine left half done, which the next-step button resumes in one click. */
export type Resume = { kind: 'generators' } | { kind: 'classify'; experimentId: string } | { kind: 'segment'; experimentId: string; rounds: number };

export interface NextStep {
  view: View;
  /** What to do there, in one sentence. */
  text: string;
  /** The button's words. */
  action: string;
  resume?: Resume;
}

/**
 * Interrupted work of the dataset: a generator run left "running" (a job ends by marking its runs, so with
 * no job running in the owning tab it was cut off), experiments marked interrupted at start-up. Work the user
 * stopped on purpose is not listed: they may have stopped for good.
 */
export function interruptedWork(i: WorkflowInput): NextStep | null {
  const d = i.dataset;
  if (!d) return null;
  // A stop marks the running run "paused" and leaves the classes after it "queued": only a "running" one was cut off.
  const cut = i.runs.filter((r) => r.datasetId === d.id && r.status === 'running');
  if (cut.length) {
    const r = cut[0]!;
    return {
      view: 'generators',
      text: `Training of the “${r.className}” generator${cut.length > 1 ? ` (and ${cut.length - 1} more)` : ''} was interrupted (the tab closed while it trained); ${r.checkpointStep !== null ? `it resumes from its last checkpoint, step ${r.checkpointStep}` : 'it had no checkpoint yet, so it starts again from step 0'}.`,
      action: 'Resume it',
      resume: { kind: 'generators' },
    };
  }
  const cls = i.classify.find((e) => e.datasetId === d.id && e.status === 'stopped' && e.message.startsWith('Interrupted'));
  if (cls) return { view: 'classify', text: `A classification experiment was interrupted after ${cls.results.length} finished run${cls.results.length === 1 ? '' : 's'}; it can run the rest.`, action: 'Resume it', resume: { kind: 'classify', experimentId: cls.id } };
  const seg = i.segment.find((e) => e.datasetId === d.id && e.status === 'interrupted' && e.rounds.length > 0);
  if (seg) {
    const left = Math.max(1, seg.options.rounds + 1 - seg.rounds.length);
    return { view: 'segment', text: `Pseudo-label rounds were interrupted after ${seg.rounds.length} finished round${seg.rounds.length === 1 ? '' : 's'}; ${left} more to go.`, action: 'Resume it', resume: { kind: 'segment', experimentId: seg.id, rounds: left } };
  }
  return null;
}

/** Every class (or the one unlabelled set) has a generator that can sample. */
export function generatorsReady(d: DatasetMeta, runs: readonly GeneratorRunMeta[]): boolean {
  const usable = runs.filter((r) => r.datasetId === d.id && r.checkpointStep !== null);
  return d.labelled ? d.classes.every((_, c) => usable.some((r) => r.classIndex === c)) : usable.some((r) => r.classIndex === null);
}

export function workflow(i: WorkflowInput): { steps: WorkflowStep[]; next: NextStep | null } {
  const d = i.dataset;
  const gensReady = !!d && generatorsReady(d, i.runs);
  const classifiable = !!d && d.labelled && d.classes.length >= 2;
  const segmentable = !!d && d.kind === 'segmentation';
  const clsDone = !!d && i.classify.some((e) => e.datasetId === d.id && e.status === 'done');
  const segDone = !!d && i.segment.some((e) => e.datasetId === d.id && e.rounds.length >= 2);
  const steps: WorkflowStep[] = [
    { view: 'data', label: 'Data', state: d ? 'done' : 'todo' },
    { view: 'generators', label: 'Generators & samples', state: gensReady ? 'done' : 'todo' },
    { view: 'classify', label: 'Classify', state: !classifiable ? 'not-applicable' : clsDone ? 'done' : 'todo' },
    { view: 'segment', label: 'Segment & rounds', state: !segmentable ? 'not-applicable' : segDone ? 'done' : 'todo' },
    { view: 'report', label: 'Report', state: 'todo' },
  ];
  let next: NextStep | null = interruptedWork(i);
  if (next) return { steps, next };
  if (!d) next = { view: 'data', text: 'Import a dataset, or generate the demo phantoms: everything stays in this browser.', action: 'Go to Data' };
  else if (!gensReady) next = { view: 'generators', text: `Train one generator per class of “${d.name}”: the suggested settings fit the time you give it.`, action: 'Go to Generators' };
  else if (!i.samplesSeen && !clsDone) next = { view: 'generators', text: 'Look at the synthetic samples: open “Explore samples” on a generator, try truncation and interpolation.', action: 'See samples' };
  else if (classifiable && !clsDone) next = { view: 'classify', text: 'Compare a classifier trained on real images with one trained on real + synthetic images.', action: 'Go to Classify' };
  else if (segmentable && !segDone) next = { view: 'segment', text: 'Train a segmenter on the real masks, pseudo-label the synthetic images, and review a round.', action: 'Go to Segment' };
  else next = { view: 'report', text: 'Download the run card: one self-contained HTML page with the settings, tables, curves and samples.', action: 'Go to Report' };
  return { steps, next };
}
