/**
 * Works out what a set of files is from their paths alone (no decoding), so the user is told early and
 * specifically what was found: ISIC image + `_segmentation` mask pairs, a Kvasir `images/` + `masks/` tree,
 * or class folders (optionally under train/val/test folders). Pure: unit-tested in Node.
 */
import type { SkippedFile, SplitName } from '../types.ts';

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'bmp', 'webp'] as const;
/** Files that come with datasets and are not images; they are read (splits.csv) or ignored quietly. */
const METADATA_FILES = /^(splits\.csv|manifest\.txt|readme(\.(md|txt))?|license(\.txt)?|.*\.tsv|\.ds_store|thumbs\.db)$/i;

export interface Pair {
  id: string;
  image: string;
  mask: string;
  split: SplitName | null;
}

export interface ClassItem {
  path: string;
  className: string;
  split: SplitName | null;
}

export type Layout =
  | { kind: 'pairs'; convention: 'isic' | 'kvasir'; pairs: Pair[]; skipped: SkippedFile[]; splitsCsv: string | null }
  | { kind: 'class-folders'; items: ClassItem[]; classes: string[]; emptyClasses: string[]; skipped: SkippedFile[] };

export function extension(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
function stem(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? base : base.slice(0, dot);
}
export function isImagePath(path: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extension(path));
}
function isJunk(path: string): boolean {
  return path.split('/').some((s) => s === '__MACOSX' || s.startsWith('._')) || /(^|\/)\.DS_Store$/.test(path);
}

const SPLIT_DIRS: Record<string, SplitName> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};
/** The split named by a folder on the path, if any (e.g. `train/benign/x.png`). */
export function splitFromPath(path: string): SplitName | null {
  const dirs = path.split('/').slice(0, -1);
  for (const d of dirs) {
    const s = SPLIT_DIRS[d.toLowerCase()];
    if (s) return s;
  }
  return null;
}

export function detectLayout(allPaths: string[]): Layout {
  const skipped: SkippedFile[] = [];
  const paths: string[] = [];
  let splitsCsv: string | null = null;
  for (const p of allPaths) {
    if (isJunk(p)) continue;
    if (basename(p).toLowerCase() === 'splits.csv') splitsCsv = p;
    else if (METADATA_FILES.test(basename(p))) continue;
    else if (!isImagePath(p)) skipped.push({ path: p, reason: `not an image file (.${extension(p) || 'no extension'})` });
    else paths.push(p);
  }

  const isicMasks = paths.filter((p) => /_segmentation$/i.test(stem(p)));
  if (isicMasks.length > 0) return isicPairs(paths, isicMasks, skipped, splitsCsv);

  const inDir = (p: string, dir: string) => p.split('/').slice(0, -1).some((d) => d.toLowerCase() === dir);
  const kvImages = paths.filter((p) => inDir(p, 'images'));
  const kvMasks = paths.filter((p) => inDir(p, 'masks'));
  if (kvImages.length > 0 && kvMasks.length > 0) return kvasirPairs(kvImages, kvMasks, paths, skipped, splitsCsv);

  return classFolders(paths, allPaths, skipped);
}

function isicPairs(paths: string[], masks: string[], skipped: SkippedFile[], splitsCsv: string | null): Layout {
  const maskSet = new Set(masks);
  const imagesById = new Map<string, string>();
  for (const p of paths) if (!maskSet.has(p)) imagesById.set(stem(p), p);
  const pairs: Pair[] = [];
  const used = new Set<string>();
  for (const m of masks) {
    const id = stem(m).replace(/_segmentation$/i, '');
    const image = imagesById.get(id);
    if (!image) {
      skipped.push({ path: m, reason: `mask without an image (no ${id}.jpg or .png beside it)` });
      continue;
    }
    used.add(image);
    pairs.push({ id, image, mask: m, split: splitFromPath(image) });
  }
  for (const p of imagesById.values()) {
    if (!used.has(p)) skipped.push({ path: p, reason: `image without a mask (no ${stem(p)}_segmentation.png)` });
  }
  pairs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { kind: 'pairs', convention: 'isic', pairs, skipped, splitsCsv };
}

function kvasirPairs(images: string[], masks: string[], all: string[], skipped: SkippedFile[], splitsCsv: string | null): Layout {
  // Pair within the same parent folder (e.g. train/images with train/masks), by file name without extension.
  const parentOf = (p: string) => p.split('/').slice(0, -2).join('/');
  const masksByKey = new Map(masks.map((m) => [`${parentOf(m)}|${stem(m)}`, m]));
  const pairs: Pair[] = [];
  const usedMasks = new Set<string>();
  for (const img of images) {
    const mask = masksByKey.get(`${parentOf(img)}|${stem(img)}`);
    if (!mask) {
      skipped.push({ path: img, reason: 'image without a mask (no file of the same name in masks/)' });
      continue;
    }
    usedMasks.add(mask);
    pairs.push({ id: stem(img), image: img, mask, split: splitFromPath(img) });
  }
  for (const m of masks) if (!usedMasks.has(m)) skipped.push({ path: m, reason: 'mask without an image (no file of the same name in images/)' });
  const inPairs = new Set([...images, ...masks]);
  for (const p of all) if (!inPairs.has(p)) skipped.push({ path: p, reason: 'outside the images/ and masks/ folders' });
  pairs.sort((a, b) => (a.image < b.image ? -1 : 1));
  return { kind: 'pairs', convention: 'kvasir', pairs, skipped, splitsCsv };
}

/**
 * The class of an image is the nearest folder above it that is not a split folder, so `X/benign/a.png`,
 * `X/train/benign/a.png` and `benign/a.png` all give 'benign'. A folder of loose images is one class.
 */
function classFolders(paths: string[], allPaths: string[], skipped: SkippedFile[]): Layout {
  const items: ClassItem[] = [];
  const classOf = (p: string): string | null => {
    const dirs = p.split('/').slice(0, -1).filter((d) => !SPLIT_DIRS[d.toLowerCase()]);
    return dirs.length ? dirs[dirs.length - 1]! : null;
  };
  for (const p of paths) {
    const className = classOf(p);
    if (className === null) {
      skipped.push({ path: p, reason: 'not inside a class folder (expected <class>/<image>)' });
      continue;
    }
    items.push({ path: p, className, split: splitFromPath(p) });
  }
  const classes = [...new Set(items.map((i) => i.className))].sort();
  // A class folder that holds only non-images is an empty class the user should hear about.
  const folderClasses = new Set(
    allPaths.filter((p) => !isJunk(p) && !METADATA_FILES.test(basename(p))).map(classOf).filter((c): c is string => c !== null),
  );
  const emptyClasses = [...folderClasses].filter((c) => !classes.includes(c)).sort();
  return { kind: 'class-folders', items, classes, emptyClasses, skipped };
}

/** Reads a `splits.csv` (columns image_id or file, and split) into id -> split. Unknown splits are ignored. */
export function parseSplitsCsv(text: string): Map<string, SplitName> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const idCol = header.findIndex((h) => ['image_id', 'id', 'image', 'file', 'filename', 'name'].includes(h));
  const splitCol = header.indexOf('split');
  const out = new Map<string, SplitName>();
  if (idCol < 0 || splitCol < 0) return out;
  for (const line of lines) {
    const cells = line.split(',');
    const split = SPLIT_DIRS[(cells[splitCol] ?? '').trim().toLowerCase()];
    const id = stem((cells[idCol] ?? '').trim());
    if (split && id) out.set(id, split);
  }
  return out;
}
