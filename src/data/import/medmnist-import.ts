/**
 * MedMNIST `.npz` import: the arrays come at their native size (28/64/128/224) with the official split,
 * which is kept. A different working size resamples each image through the same canvas path as folders.
 */
import { readMedMnist } from '../npz.ts';
import { drawResized, toChannels } from './decode.ts';
import type { ImportContext, ImportedDataset } from './import-context.ts';

export async function importMedMnist(bytes: Uint8Array, fileName: string, ctx: ImportContext): Promise<ImportedDataset> {
  ctx.progress('parsing', 0, 1, `reading ${fileName}`);
  const set = readMedMnist(bytes, fileName);
  const n = set.labels.length;
  const size = ctx.options.size || set.size;
  const per = set.size * set.size * set.channels;
  const builder = ctx.newBuilder(size, set.channels, false);
  const native = size === set.size ? null : new OffscreenCanvas(set.size, set.size);
  const nativeCtx = native?.getContext('2d') ?? null;
  // Only a resize needs canvas objects (so an import at native size also runs where there are none, in Node).
  const rgba = native ? new ImageData(set.size, set.size) : null;
  for (let i = 0; i < n; i++) {
    ctx.progress('storing', i, n, `image ${i + 1} of ${n}`);
    const slot = builder.slot();
    const src = set.images.subarray(i * per, (i + 1) * per);
    if (!native || !nativeCtx || !rgba) {
      slot.images.set(src, slot.imageOffset);
    } else {
      for (let p = 0; p < set.size * set.size; p++) {
        const c = set.channels;
        rgba.data[4 * p] = src[c * p]!;
        rgba.data[4 * p + 1] = src[c * p + (c === 3 ? 1 : 0)]!;
        rgba.data[4 * p + 2] = src[c * p + (c === 3 ? 2 : 0)]!;
        rgba.data[4 * p + 3] = 255;
      }
      nativeCtx.putImageData(rgba, 0, 0);
      toChannels(drawResized(native, set.size, set.size, size, 'stretch'), set.channels, slot.images, slot.imageOffset);
    }
    await builder.push(set.labels[i]!, set.splits[i]!, null);
  }
  return {
    builder,
    kind: 'classification',
    classes: set.classes,
    labelled: true,
    splitOrigin: { kind: 'source' },
    source: `${fileName} (MedMNIST, ${set.size} px)`,
    aspect: size === set.size ? 'native' : 'stretch',
    skipped: [],
    attributionHint: 'medmnist',
  };
}
