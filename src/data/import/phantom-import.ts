/**
 * The built-in demo dataset: procedural ultrasound-like phantoms (src/data/phantom.ts) with exact lesion
 * masks and two classes, stored like any imported set so every later step treats it the same way.
 * Images are made one at a time as they are stored, so a large set can be cancelled at once and never
 * sits in memory whole; labels are known up front (phantomLabel), which the stratified split needs.
 */
import { phantomImage, phantomImageSeed, phantomLabel, PHANTOM_CLASSES } from '../phantom.ts';
import { stratifiedSplit } from '../splits.ts';
import { DEFAULT_SPLIT } from '../types.ts';
import type { PhantomOptions } from '../../worker/protocol.ts';
import type { ImportContext, ImportedDataset } from './import-context.ts';

export async function importPhantom(opts: PhantomOptions, ctx: ImportContext): Promise<ImportedDataset> {
  const labels = Uint8Array.from({ length: opts.count }, (_, i) => phantomLabel(opts.seed, i));
  const fractions = opts.splitFractions ?? DEFAULT_SPLIT;
  const splits = stratifiedSplit(labels, fractions, opts.seed);
  const builder = ctx.newBuilder(opts.size, 1, true);
  for (let i = 0; i < opts.count; i++) {
    ctx.progress('generating', i, opts.count, `phantom ${i + 1} of ${opts.count} at ${opts.size} px`);
    const one = phantomImage(opts.size, phantomImageSeed(opts.seed, i), labels[i] === 1 ? 1 : 0);
    const slot = builder.slot();
    slot.images.set(one.image, slot.imageOffset);
    slot.masks!.set(one.mask, slot.maskOffset);
    await builder.push(labels[i]!, splits[i]!, null);
  }
  return {
    builder,
    kind: 'segmentation',
    classes: [...PHANTOM_CLASSES],
    labelled: true,
    splitOrigin: { kind: 'seeded', seed: opts.seed, fractions },
    source: `phantom (built-in demo), seed ${opts.seed}`,
    aspect: 'native',
    skipped: [],
    attributionHint: null,
  };
}
