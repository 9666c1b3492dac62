/**
 * The FD/KID feature extractor's per-epoch loss and accuracy on WebGPU over many batches, against the CPU
 * backend. They once summed every batch with one AddN: past maxStorageBuffersPerShaderStage inputs (8 on
 * the default WebGPU device) that pipeline is invalid and the "sums" came back as garbage; the Node device
 * harness caught it on Dawn. 12 batches here, so the old code fails this case.
 */
import * as tf from '@tensorflow/tfjs';
import { trainFeatureExtractor, type EpochReport } from '../../src/metrics/feature-extractor.ts';
import { randomTensor } from './compare.ts';
import type { CaseResult } from './types.ts';

/** Loss after 12 Adam steps from the same start on two backends: float32 rounding only, compounded. */
const TOLERANCE = 2e-3;

async function firstEpoch(backend: string): Promise<EpochReport> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const images = tf.tidy(() => tf.tanh(randomTensor([96, 16, 16, 1], 21)) as tf.Tensor4D);
  const labels = Uint8Array.from({ length: 96 }, (_, i) => (i * 7) % 3);
  let report: EpochReport | null = null;
  try {
    const model = await trainFeatureExtractor(images, labels, 3, { epochs: 1, batchSize: 8, seed: 3, lr: 1e-3, widths: [4, 8], maxShift: 0, onEpoch: (r) => void (report = r) });
    model.dispose();
  } finally {
    images.dispose();
  }
  if (!report) throw new Error('no epoch was reported');
  return report;
}

export const EXTRACTOR_EPOCH_CASE_NAME = 'feature extractor epoch loss over 12 batches: webgpu vs cpu';

export async function extractorEpochCase(): Promise<CaseResult> {
  const result: CaseResult = { name: EXTRACTOR_EPOCH_CASE_NAME, passed: false, errors: {}, tolerance: TOLERANCE, kernelUsed: null, leakedTensors: 0, leakedDataIds: 0, detail: '' };
  const tensorsBefore = tf.memory().numTensors;
  try {
    const gpu = await firstEpoch('webgpu');
    const cpu = await firstEpoch('cpu');
    result.errors.loss = Math.abs(gpu.loss - cpu.loss) / Math.max(Math.abs(cpu.loss), 1e-6);
    result.errors.accuracy = Math.abs(gpu.accuracy - cpu.accuracy);
    // One image's prediction may flip between backends (1/96); garbage sums land far outside that.
    result.passed = result.errors.loss <= TOLERANCE && result.errors.accuracy <= 2 / 96 && gpu.loss > 0;
    result.detail = `loss ${gpu.loss.toFixed(5)} vs ${cpu.loss.toFixed(5)}, accuracy ${gpu.accuracy.toFixed(4)} vs ${cpu.accuracy.toFixed(4)}`;
  } catch (err) {
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    await tf.setBackend('webgpu');
  }
  result.leakedTensors = tf.memory().numTensors - tensorsBefore;
  result.passed &&= result.leakedTensors === 0;
  return result;
}
