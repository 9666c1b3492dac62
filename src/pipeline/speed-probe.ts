/**
 * Measures how fast this engine trains a given model, by running its real training step a few times on
 * random data of the right shape: one warm-up step (shader compilation, buffer pool) that is not timed, then
 * timed steps, each read back so the GPU queue is drained. The figure is what an estimate before a long job
 * rests on, so it must be the same code path as the job itself, not a synthetic benchmark.
 *
 * Leaves no tensor behind (checked: a probe that leaked would slowly fill the GPU of a long session).
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError } from '../data/import/import-context.ts';
import { Classifier } from '../models/classifier.ts';
import { classifierPreset } from '../models/classifier-config.ts';
import { trainStep } from '../train/classifier-train.ts';
import { ganTrainingPreset } from '../train/gan-config.ts';
import { createGanState, disposeGanState } from '../train/gan-state.ts';
import { ganStep } from '../train/gan-step.ts';
import { DEFAULT_ADAM, ScheduledOptimizer } from '../train/scheduled-optimizer.ts';
import { segTrainStep } from '../train/segmenter-train.ts';
import { DEFAULT_SEG_TRAINING } from './seg-rounds-record.ts';
import { segModel, segTrainingConfig } from './seg-rounds.ts';
import { speedJobKey, type SpeedJob, type SpeedRecord } from './speed-job.ts';

/** Timed steps after the warm-up: enough to average out one slow step, few enough to stay short. */
const TIMED_STEPS = { gan: 1, classify: 3, segment: 2 } as const;

async function timeSteps(step: () => Promise<void>, timed: number, signal?: AbortSignal): Promise<number> {
  await step(); // warm-up, not timed
  if (signal?.aborted) throw new CancelledError();
  const t0 = performance.now();
  for (let i = 0; i < timed; i++) {
    await step();
    if (signal?.aborted) throw new CancelledError();
  }
  return (performance.now() - t0) / timed;
}

async function probeGan(j: Extract<SpeedJob, { kind: 'gan' }>, signal?: AbortSignal): Promise<number> {
  const config = ganTrainingPreset(j.preset, j.resolution, j.channels, { batchSize: j.batchSize, seed: 0 });
  const state = createGanState(config);
  const reals = tf.randomUniform([j.batchSize, j.resolution, j.resolution, j.channels], -1, 1, 'float32', 7) as tf.Tensor4D;
  try {
    // Step 0 carries the lazy R1 pass, so the warm-up compiles it; the timed step is a plain one. R1 runs every
    // 16th step and costs about 1.3 plain steps, so plain steps understate the average by about 2%.
    return await timeSteps(async () => {
      await ganStep(state, reals);
    }, TIMED_STEPS.gan, signal);
  } finally {
    reals.dispose();
    disposeGanState(state);
  }
}

async function probeClassifier(j: Extract<SpeedJob, { kind: 'classify' }>, signal?: AbortSignal): Promise<number> {
  const shape = { inputSize: j.size, channels: j.channels, numClasses: j.numClasses };
  const model = new Classifier(classifierPreset(j.preset, shape, 0, j.size >= 64 ? { stemStride: 2 } : {}));
  const optimizer = new ScheduledOptimizer(DEFAULT_ADAM, model.trainableVariables());
  const images = tf.randomUniform([j.batchSize, j.size, j.size, j.channels], 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.tensor1d(Array.from({ length: j.batchSize }, (_, i) => i % j.numClasses), 'int32');
  try {
    return await timeSteps(async () => {
      const out = trainStep(model, optimizer, images, labels, 1e-3);
      await out.loss.data();
      tf.dispose([out.loss, out.correct]);
    }, TIMED_STEPS.classify, signal);
  } finally {
    tf.dispose([images, labels]);
    optimizer.dispose();
    model.dispose();
  }
}

async function probeSegmenter(j: Extract<SpeedJob, { kind: 'segment' }>, signal?: AbortSignal): Promise<number> {
  const settings = { model: j.model, preset: j.preset, loss: j.loss, training: { ...DEFAULT_SEG_TRAINING, batchSize: j.batchSize }, threshold: 0, weighting: 'uniform' as const };
  const model = segModel(settings, j.size, j.channels, 0);
  const optimizer = new ScheduledOptimizer(segTrainingConfig(settings, 0).optimizer, model.trainableVariables());
  const images = tf.randomUniform([j.batchSize, j.size, j.size, j.channels], 0, 1, 'float32', 7) as tf.Tensor4D;
  const masks = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([j.batchSize, j.size, j.size], 0, 1, 'float32', 8), 0.7), 'float32')) as tf.Tensor3D;
  try {
    return await timeSteps(async () => {
      const loss = segTrainStep(model, optimizer, images, masks, null, 1e-3, j.loss, [32, 32]);
      await loss.data();
      loss.dispose();
    }, TIMED_STEPS.segment, signal);
  } finally {
    tf.dispose([images, masks]);
    optimizer.dispose();
    model.dispose();
  }
}

/** Runs the job's real training step on random data and returns its cost per training image. */
export async function probeSpeed(job: SpeedJob, signal?: AbortSignal): Promise<SpeedRecord> {
  if (!(job.batchSize >= 1)) throw new Error(`A speed probe needs a batch of at least one image (got ${job.batchSize}).`);
  const before = tf.memory().numTensors;
  const stepMs = job.kind === 'gan' ? await probeGan(job, signal) : job.kind === 'classify' ? await probeClassifier(job, signal) : await probeSegmenter(job, signal);
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`Speed probe of ${speedJobKey(job)} left ${leaked} tensors behind.`);
  const timed = TIMED_STEPS[job.kind];
  return {
    key: speedJobKey(job),
    job,
    msPerImage: stepMs / job.batchSize,
    source: 'probe',
    basis: `${timed} timed step${timed > 1 ? 's' : ''} of ${job.batchSize} images after one warm-up step`,
    measuredAt: new Date().toISOString(),
  };
}
