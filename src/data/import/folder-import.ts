/**
 * Imports a tree of image files (from a picked folder, a drop, or an unpacked zip): class folders for
 * classification, or ISIC / Kvasir image + mask pairs for segmentation. Every file that cannot be used is
 * listed with its reason; the import fails with a specific message only when the result would be unusable.
 */
import { DataError } from '../errors.ts';
import { stratifiedSplit } from '../splits.ts';
import { DEFAULT_SPLIT, SPLIT_CODE, type AspectMode, type SkippedFile, type SplitName, type SplitOrigin } from '../types.ts';
import type { SourceFile } from '../../worker/protocol.ts';
import { decodeImage, hasColour, toChannels, toMask } from './decode.ts';
import { detectLayout, parseSplitsCsv, type Layout } from './layout.ts';
import type { ImportContext, ImportedDataset } from './import-context.ts';

/** Default working resolution for image folders (sources with a native size keep theirs). */
export const DEFAULT_FOLDER_SIZE = 64;

export async function importFolder(files: SourceFile[], ctx: ImportContext): Promise<ImportedDataset> {
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const layout = detectLayout(files.map((f) => f.path));
  const size = ctx.options.size || DEFAULT_FOLDER_SIZE;
  const aspect = ctx.options.aspect ?? 'stretch';
  return layout.kind === 'pairs'
    ? importPairs(layout, byPath, size, aspect, ctx)
    : importClasses(layout, byPath, size, aspect, ctx);
}

/** Decides 1 or 3 channels from the first few images: grey images stored as RGB stay one channel. */
async function detectChannels(paths: string[], byPath: Map<string, Blob>, aspect: AspectMode): Promise<1 | 3> {
  for (const p of paths.slice(0, 8)) {
    try {
      if (hasColour((await decodeImage(byPath.get(p)!, 32, aspect)).rgba)) return 3;
    } catch {
      /* an undecodable file is reported by the main pass */
    }
  }
  return 1;
}

/** Split codes for all items: the source's own when every item has one, else a seeded stratified split. */
function chooseSplits(sourceSplits: (SplitName | null)[], labels: number[], ctx: ImportContext): { codes: Uint8Array; origin: SplitOrigin } {
  if (sourceSplits.length > 0 && sourceSplits.every((s) => s !== null)) {
    return { codes: Uint8Array.from(sourceSplits, (s) => SPLIT_CODE[s!]), origin: { kind: 'source' } };
  }
  const fractions = ctx.options.splitFractions ?? DEFAULT_SPLIT;
  const seed = ctx.options.splitSeed ?? 42;
  return { codes: stratifiedSplit(labels, fractions, seed), origin: { kind: 'seeded', seed, fractions } };
}

async function importPairs(layout: Extract<Layout, { kind: 'pairs' }>, byPath: Map<string, Blob>, size: number, aspect: AspectMode, ctx: ImportContext): Promise<ImportedDataset> {
  const skipped: SkippedFile[] = [...layout.skipped];
  if (layout.pairs.length === 0) {
    throw new DataError(`No image + mask pairs were found (${skipped.length} files could not be paired; first: ${skipped[0]?.path ?? 'none'}: ${skipped[0]?.reason ?? ''}).`, 'no-pairs');
  }
  if (layout.splitsCsv) {
    const csv = parseSplitsCsv(await byPath.get(layout.splitsCsv)!.text());
    for (const p of layout.pairs) p.split = csv.get(p.id) ?? p.split;
  }
  const { codes, origin } = chooseSplits(layout.pairs.map((p) => p.split), layout.pairs.map(() => 0), ctx);
  const channels = await detectChannels(layout.pairs.map((p) => p.image), byPath, aspect);
  const builder = ctx.newBuilder(size, channels, true);
  for (let i = 0; i < layout.pairs.length; i++) {
    const pair = layout.pairs[i]!;
    ctx.progress('decoding', i, layout.pairs.length, pair.id);
    let image, mask;
    try {
      image = await decodeImage(byPath.get(pair.image)!, size, aspect);
    } catch (e) {
      skipped.push({ path: pair.image, reason: (e as Error).message });
      continue;
    }
    try {
      mask = await decodeImage(byPath.get(pair.mask)!, size, aspect);
    } catch (e) {
      skipped.push({ path: pair.mask, reason: `mask: ${(e as Error).message}` });
      continue;
    }
    if (mask.width !== image.width || mask.height !== image.height) {
      skipped.push({ path: pair.mask, reason: `mask is ${mask.width}×${mask.height} but its image is ${image.width}×${image.height}` });
      continue;
    }
    const slot = builder.slot();
    toChannels(image.rgba, channels, slot.images, slot.imageOffset);
    toMask(mask.rgba, slot.masks!, slot.maskOffset);
    await builder.push(0, codes[i]!, pair.id);
  }
  if (builder.count === 0) throw new DataError(`None of the ${layout.pairs.length} image + mask pairs could be read (first problem: ${skipped[0]?.path}: ${skipped[0]?.reason}).`, 'no-pairs');
  return {
    builder,
    kind: 'segmentation',
    classes: ['all'],
    labelled: false,
    splitOrigin: origin,
    source: `${layout.convention === 'isic' ? 'ISIC-style' : 'Kvasir-style'} image + mask pairs`,
    aspect,
    skipped,
    attributionHint: layout.convention,
  };
}

async function importClasses(layout: Extract<Layout, { kind: 'class-folders' }>, byPath: Map<string, Blob>, size: number, aspect: AspectMode, ctx: ImportContext): Promise<ImportedDataset> {
  const skipped: SkippedFile[] = [...layout.skipped];
  if (layout.emptyClasses.length > 0) {
    const listed = skipped.filter((s) => layout.emptyClasses.some((c) => s.path.includes(`/${c}/`) || s.path.startsWith(`${c}/`)));
    throw new DataError(
      `Class folder${layout.emptyClasses.length > 1 ? 's' : ''} ${layout.emptyClasses.map((c) => `"${c}"`).join(', ')} ` +
        `${layout.emptyClasses.length > 1 ? 'have' : 'has'} no images${listed.length ? ` (${listed.map((s) => `${s.path}: ${s.reason}`).slice(0, 3).join('; ')})` : ''}. ` +
        'Every class needs at least one image: add images or remove the folder.',
      'empty-class',
    );
  }
  if (layout.classes.length === 0) throw new DataError(`No images were found in class folders (${skipped.length} files skipped).`, 'no-images');
  if (layout.classes.length < 2) {
    throw new DataError(`Only one class was found ("${layout.classes[0]}"); a classification dataset needs at least two class folders, e.g. benign/ and malignant/.`, 'single-class');
  }
  const labels = layout.items.map((it) => layout.classes.indexOf(it.className));
  const { codes, origin } = chooseSplits(layout.items.map((it) => it.split), labels, ctx);
  const channels = await detectChannels(layout.items.map((it) => it.path), byPath, aspect);
  const builder = ctx.newBuilder(size, channels, false);
  const decodedPerClass = new Array<number>(layout.classes.length).fill(0);
  for (let i = 0; i < layout.items.length; i++) {
    const item = layout.items[i]!;
    ctx.progress('decoding', i, layout.items.length, item.path);
    let image;
    try {
      image = await decodeImage(byPath.get(item.path)!, size, aspect);
    } catch (e) {
      skipped.push({ path: item.path, reason: (e as Error).message });
      continue;
    }
    const slot = builder.slot();
    toChannels(image.rgba, channels, slot.images, slot.imageOffset);
    decodedPerClass[labels[i]!]!++;
    await builder.push(labels[i]!, codes[i]!, item.path);
  }
  const empty = layout.classes.filter((_, c) => decodedPerClass[c] === 0);
  if (empty.length) {
    throw new DataError(`Class ${empty.map((c) => `"${c}"`).join(', ')} has no readable images (all its files failed to decode). Every class needs at least one image.`, 'empty-class');
  }
  return { builder, kind: 'classification', classes: layout.classes, labelled: true, splitOrigin: origin, source: 'class folders', aspect, skipped, attributionHint: null };
}
