/**
 * A trained generator in TensorFlow.js's own weights format, for use outside this app: `model.json` holds a
 * standard tfjs `weightsManifest` (so `tf.io.decodeWeights` / `tf.io.loadWeights` read the binary) plus this
 * app's generator config and provenance under `ssgnet`; `weights.bin` holds the EMA generator's weights.
 * There is no layers topology (the generator is hand-written tfjs, not a Keras model): rebuild it with the
 * config and this project's src/models/generator.ts, then assign the weights by name.
 */
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { getCheckpoint, getRun } from './generator-runs.ts';

export async function generatorModelZip(runId: string): Promise<{ zip: Uint8Array; fileName: string }> {
  const run = await getRun(runId);
  const ckpt = await getCheckpoint(runId);
  if (!ckpt) throw new Error(`The generator for "${run.className}" has no checkpoint yet: train it for a moment first.`);
  const named: tf.NamedTensorMap = {};
  for (const [name, r] of Object.entries(ckpt.gEma)) named[name] = tf.tensor(r.data, r.shape, r.dtype);
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    const modelJson = {
      format: 'ssgnet-generator',
      generatedBy: 'SSGNet in the browser',
      convertedBy: null,
      modelTopology: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      ssgnet: {
        version: 1,
        weights: 'EMA generator (the one sampled for synthetic images)',
        generator: ckpt.config.generator,
        dataset: run.datasetName,
        class: run.className,
        classIndex: run.classIndex,
        step: ckpt.step,
        imagesSeen: ckpt.imagesSeen,
        preset: run.preset,
        quality: run.quality.at(-1) ?? null,
        exportedAt: new Date().toISOString(),
      },
    };
    const zip = zipSync({ 'model.json': new TextEncoder().encode(JSON.stringify(modelJson, null, 2)), 'weights.bin': new Uint8Array(data) }, { level: 6 });
    const fileName = `${run.datasetName}-${run.className}-generator-step${ckpt.step}.zip`.replace(/[^\w.-]+/g, '_');
    return { zip, fileName };
  } finally {
    tf.dispose(Object.values(named));
  }
}
