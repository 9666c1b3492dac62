/**
 * The built-in demo dataset: procedural ultrasound-like phantoms (src/data/phantom.ts) with exact lesion
 * masks and two classes, stored like any imported set so every later step treats it the same way.
 */
import { generatePhantom } from '../phantom.ts';
import { stratifiedSplit } from '../splits.ts';
import { DEFAULT_SPLIT } from '../types.ts';
import type { PhantomOptions } from '../../worker/protocol.ts';
import type { ImportContext, ImportedDataset } from './import-context.ts';

export async function importPhantom(opts: PhantomOptions, ctx: ImportContext): Promise<ImportedDataset> {
  ctx.progress('generating', 0, opts.count, `${opts.count} phantoms at ${opts.size} px`);
  const set = generatePhantom({ size: opts.size, count: opts.count, seed: opts.seed });
  const fractions = opts.splitFractions ?? DEFAULT_SPLIT;
  const splits = stratifiedSplit(set.labels, fractions, opts.seed);
  const builder = ctx.newBuilder(opts.size, 1, true);
  const per = opts.size * opts.size;
  for (let i = 0; i < opts.count; i++) {
    ctx.progress('storing', i, opts.count, `phantom ${i + 1} of ${opts.count}`);
    const slot = builder.slot();
    slot.images.set(set.images.subarray(i * per, (i + 1) * per), slot.imageOffset);
    slot.masks!.set(set.masks.subarray(i * per, (i + 1) * per), slot.maskOffset);
    await builder.push(set.labels[i]!, splits[i]!, null);
  }
  return {
    builder,
    kind: 'segmentation',
    classes: [...set.classes],
    labelled: true,
    splitOrigin: { kind: 'seeded', seed: opts.seed, fractions },
    source: `phantom (built-in demo), seed ${opts.seed}`,
    aspect: 'native',
    skipped: [],
    attributionHint: null,
  };
}
