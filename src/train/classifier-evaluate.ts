/**
 * Evaluating the classifier on a split: class probabilities in evaluation mode (batch norm on its running
 * statistics, no augmentation), then the metrics of metrics/classification.ts and the mean cross-entropy.
 * One readback per batch, awaited (no dataSync), so a worker stays responsive between batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier.ts';
import { classificationReport, type ClassificationReport } from '../metrics/classification.ts';
import { batchImages, splitLength, type ImageSplit } from './classifier-data.ts';

export interface ClassifierEvaluation extends ClassificationReport {
  /** Mean unweighted cross-entropy on the split (probabilities clamped at 1e-12). */
  loss: number;
  /** Row-major [n, numClasses] softmax outputs, for AUC curves or ensembling. */
  probabilities: Float32Array;
}

/** Softmax outputs [n x numClasses] for every image of the split, `batchSize` images per forward pass. */
export async function predictProbabilities(model: Classifier, split: ImageSplit, batchSize = 128): Promise<Float32Array> {
  const n = splitLength(split);
  const k = model.config.numClasses;
  const out = new Float32Array(n * k);
  for (let start = 0; start < n; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const probs = tf.tidy(() => tf.softmax(model.forward(batchImages(split, idx), false)));
    try {
      out.set((await probs.data()) as Float32Array, start * k);
    } finally {
      probs.dispose();
    }
  }
  return out;
}

/** Metrics of the model on a split (evaluation mode). */
export async function evaluateClassifier(model: Classifier, split: ImageSplit, batchSize = 128): Promise<ClassifierEvaluation> {
  const k = model.config.numClasses;
  const probabilities = await predictProbabilities(model, split, batchSize);
  const n = split.labels.length;
  let nll = 0;
  for (let i = 0; i < n; i++) nll -= Math.log(Math.max(probabilities[i * k + (split.labels[i] as number)] as number, 1e-12));
  return { ...classificationReport(split.labels, probabilities, k), loss: n > 0 ? nll / n : NaN, probabilities };
}
