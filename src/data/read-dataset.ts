/** Reading stored datasets back: a few samples for thumbnails, or every array for training and tests. */
import { getChunk, getMeta } from './store.ts';
import type { DatasetSample } from './store-types.ts';
import type { DatasetArraysMessage } from '../worker/protocol.ts';

/** Up to `perClass` images of each class, in stored order, spread over the splits as stored. */
export async function datasetSamples(id: string, perClass: number): Promise<DatasetSample[]> {
  const meta = await getMeta(id);
  const want = new Array<number>(meta.classes.length).fill(perClass);
  const out: DatasetSample[] = [];
  const px = meta.size * meta.size * meta.channels;
  const mpx = meta.size * meta.size;
  let base = 0;
  for (let k = 0; k < meta.chunkCount && want.some((w) => w > 0); k++) {
    const chunk = await getChunk(id, k);
    for (let i = 0; i < chunk.labels.length; i++) {
      const label = chunk.labels[i]!;
      if (!(want[label]! > 0)) continue;
      want[label]!--;
      out.push({
        index: base + i,
        label,
        split: chunk.splits[i]!,
        name: chunk.names?.[i] ?? null,
        size: meta.size,
        channels: meta.channels,
        pixels: chunk.images.slice(i * px, (i + 1) * px),
        mask: chunk.masks ? chunk.masks.slice(i * mpx, (i + 1) * mpx) : null,
      });
    }
    base += chunk.labels.length;
  }
  return out.sort((a, b) => a.label - b.label || a.index - b.index);
}

export async function datasetArrays(id: string): Promise<DatasetArraysMessage> {
  const meta = await getMeta(id);
  const px = meta.size * meta.size * meta.channels;
  const mpx = meta.size * meta.size;
  const images = new Uint8Array(meta.count * px);
  const masks = meta.kind === 'segmentation' ? new Uint8Array(meta.count * mpx) : null;
  const labels = new Uint8Array(meta.count);
  const splits = new Uint8Array(meta.count);
  const names: string[] = [];
  let named = true;
  let n = 0;
  for (let k = 0; k < meta.chunkCount; k++) {
    const chunk = await getChunk(id, k);
    images.set(chunk.images, n * px);
    if (masks && chunk.masks) masks.set(chunk.masks, n * mpx);
    labels.set(chunk.labels, n);
    splits.set(chunk.splits, n);
    if (chunk.names) names.push(...chunk.names);
    else named = false;
    n += chunk.labels.length;
  }
  return { meta, images, masks, labels, splits, names: named ? names : null };
}
