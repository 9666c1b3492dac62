/**
 * NumPy .npz archives (a zip of .npy arrays), and the MedMNIST v2 layout on top of them: the one format the
 * app imports as a ready-made, ready-split classification set.
 *
 * A MedMNIST file holds train_images, train_labels, val_images, val_labels, test_images, test_labels, images
 * uint8 (N, H, W) for grey or (N, H, W, 3) for colour, labels (N, 1) (or (N,) in re-saved copies). Its split
 * is kept as is, so results are comparable with published ones.
 */
import { DataError, groupDigits } from './errors.ts';
import { describeArray, labelsToUint8, parseNpy, type NpyArray } from './npy.ts';
import { countSplits } from './splits.ts';
import { SPLIT_CODE, SPLITS, type SplitCounts, type SplitName } from './types.ts';
import { isZip, readZip, type ZipEntry, type ZipLimits } from './zip.ts';

/** The arrays of an .npz, keyed by name without '.npy'. Entries that are not .npy files are ignored. */
export function parseNpz(bytes: Uint8Array, fileName: string, limits?: ZipLimits): Record<string, NpyArray> {
  if (!isZip(bytes)) {
    const isNpy = bytes[0] === 0x93 && bytes[1] === 0x4e; // "\x93N" of "\x93NUMPY"
    throw new DataError(
      isNpy
        ? `${fileName} is a single NumPy array (.npy), not an .npz archive of arrays.`
        : `${fileName} is not an .npz file (a zip archive of NumPy arrays).`,
      'npz-not-zip',
    );
  }
  const out: Record<string, NpyArray> = {};
  const entries: (ZipEntry | undefined)[] = readZip(bytes, limits, fileName);
  for (let i = 0; i < entries.length; i++) {
    const { path, bytes: b } = entries[i]!;
    // Drop each inflated entry once parsed (parseNpy copies it), so the peak is about one copy of the data,
    // not two: MedMNIST sets run to hundreds of MB.
    entries[i] = undefined;
    if (!path.toLowerCase().endsWith('.npy')) continue;
    out[path.slice(0, -4)] = parseNpy(b, `${path} in ${fileName}`);
  }
  return out;
}

/** A MedMNIST set, its splits concatenated in the order train, val, test. */
export interface MedMnistSet {
  /** From the file name, lower case, without extension or size suffix: 'breastmnist'. */
  name: string;
  size: number;
  channels: 1 | 3;
  classes: string[];
  /** N x size x size x channels. */
  images: Uint8Array;
  labels: Uint8Array;
  /** SPLIT_CODE per image. */
  splits: Uint8Array;
  counts: SplitCounts;
}

/**
 * Class names of the MedMNIST v2 2-D sets (from the MedMNIST package's INFO table). The three organ sets
 * share one list. RetinaMNIST's official names are just '0'..'4' (diabetic retinopathy grades); 'grade n'
 * reads better in a legend. ChestMNIST is multi-label and is refused when its labels are read.
 */
const ORGANS = [
  'bladder', 'femur-left', 'femur-right', 'heart', 'kidney-left', 'kidney-right',
  'liver', 'lung-left', 'lung-right', 'pancreas', 'spleen',
];
const CLASS_NAMES: Record<string, string[]> = {
  pathmnist: [
    'adipose', 'background', 'debris', 'lymphocytes', 'mucus', 'smooth muscle', 'normal colon mucosa',
    'cancer-associated stroma', 'colorectal adenocarcinoma epithelium',
  ],
  dermamnist: [
    'actinic keratoses and intraepithelial carcinoma', 'basal cell carcinoma', 'benign keratosis-like lesions',
    'dermatofibroma', 'melanoma', 'melanocytic nevi', 'vascular lesions',
  ],
  octmnist: ['choroidal neovascularization', 'diabetic macular edema', 'drusen', 'normal'],
  pneumoniamnist: ['normal', 'pneumonia'],
  retinamnist: ['grade 0', 'grade 1', 'grade 2', 'grade 3', 'grade 4'],
  breastmnist: ['malignant', 'normal, benign'],
  bloodmnist: [
    'basophil', 'eosinophil', 'erythroblast', 'immature granulocytes (myelocytes, metamyelocytes and promyelocytes)',
    'lymphocyte', 'monocyte', 'neutrophil', 'platelet',
  ],
  tissuemnist: [
    'Collecting Duct, Connecting Tubule', 'Distal Convoluted Tubule', 'Glomerular endothelial cells',
    'Interstitial endothelial cells', 'Leukocytes', 'Podocytes', 'Proximal Tubule Segments', 'Thick Ascending Limb',
  ],
  organamnist: ORGANS,
  organcmnist: ORGANS,
  organsmnist: ORGANS,
};

/** 'data/BreastMNIST_224 (1).npz' -> 'breastmnist': folder, extension, browser duplicate and size suffixes go. */
export function medMnistName(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const stem = base.replace(/\.npz$/i, '').replace(/\s*\(\d+\)$/, '').replace(/_\d+$/, '').toLowerCase();
  return stem || 'dataset';
}

/** The table entry whose key is the name or, failing that, the longest key inside it ('my_bloodmnist_v2'). */
function classNamesFor(name: string): string[] {
  const exact = CLASS_NAMES[name];
  if (exact) return exact;
  const key = Object.keys(CLASS_NAMES)
    .filter((k) => name.includes(k))
    .sort((a, b) => b.length - a.length)[0];
  return key ? CLASS_NAMES[key]! : [];
}

export function readMedMnist(bytes: Uint8Array, fileName: string, limits?: ZipLimits): MedMnistSet {
  const name = medMnistName(fileName);
  const arrays = parseNpz(bytes, fileName, limits);
  const required = SPLITS.flatMap((s) => [`${s}_images`, `${s}_labels`]);
  const missing = required.filter((k) => !arrays[k]);
  if (missing.length > 0) {
    const found = Object.keys(arrays);
    throw new DataError(
      `${fileName} is not a MedMNIST file: it lacks ${missing.join(', ')}. A MedMNIST file holds ${required.join(', ')}; ` +
        `this one holds ${found.length ? found.join(', ') : 'no arrays'}.`,
      'npz-missing',
    );
  }

  let geometry: { size: number; channels: 1 | 3; from: string } | null = null;
  const parts: { split: SplitName; images: Uint8Array; labels: Uint8Array }[] = [];
  for (const split of SPLITS) {
    const img = arrays[`${split}_images`]!;
    const what = `${split}_images in ${fileName}`;
    const g = imageGeometry(img, what);
    if (geometry && (g.size !== geometry.size || g.channels !== geometry.channels)) {
      throw new DataError(
        `${what} are ${g.size}×${g.size} with ${g.channels} channel(s), but ${geometry.from} are ` +
          `${geometry.size}×${geometry.size} with ${geometry.channels}; all splits must have the same image size.`,
        'npz-shape',
      );
    }
    geometry ??= { ...g, from: `${split}_images` };
    const labels = labelsToUint8(arrays[`${split}_labels`]!, `${split}_labels in ${fileName}`);
    const n = img.shape[0]!;
    if (labels.length !== n) {
      throw new DataError(
        `${fileName} has ${groupDigits(n)} ${split} images but ${groupDigits(labels.length)} ${split} labels; ` +
          'they must match one to one.',
        'npz-shape',
      );
    }
    parts.push({ split, images: img.data as Uint8Array, labels });
  }
  const { size, channels } = geometry!;

  const total = parts.reduce((a, p) => a + p.labels.length, 0);
  const images = new Uint8Array(total * size * size * channels);
  const labels = new Uint8Array(total);
  const splits = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * size * size * channels);
    labels.set(p.labels, at);
    splits.fill(SPLIT_CODE[p.split], at, at + p.labels.length);
    at += p.labels.length;
  }

  const present = new Set(labels);
  if (present.size < 2) {
    throw new DataError(
      total === 0
        ? `${fileName} holds no images.`
        : `Every image in ${fileName} has the same label (${[...present][0]}); training a classifier needs at least two classes.`,
      'single-class',
    );
  }
  const known = classNamesFor(name);
  const nClasses = Math.max(Math.max(...present) + 1, known.length);
  const classes = Array.from({ length: nClasses }, (_, c) => known[c] ?? `class ${c}`);
  return { name, size, channels, classes, images, labels, splits, counts: countSplits(labels, splits, classes) };
}

/** Checks one images array is uint8 (N, S, S) or (N, S, S, 1|3) and returns S and the channel count. */
function imageGeometry(a: NpyArray, what: string): { size: number; channels: 1 | 3 } {
  if (a.dtype !== 'u1') {
    throw new DataError(
      `${what} are ${describeArray(a.dtype, a.shape)}; MedMNIST images must be uint8 (0-255). ` +
        'Convert them with .astype(np.uint8) after scaling.',
      'npz-dtype',
    );
  }
  const [, h, w, c] = a.shape;
  // A fourth axis that is not a channel axis (MedMNIST 3-D volumes are N×28×28×28 or N×64×64×64).
  if (a.shape.length === 5 || (a.shape.length === 4 && c !== 1 && c !== 3)) {
    throw new DataError(
      `${what} have shape ${a.shape.join('×')}: this is a 3-D MedMNIST set (volumes), and 3-D sets are not ` +
        'supported. Use a 2-D MedMNIST set.',
      'npz-3d',
    );
  }
  if (a.shape.length !== 3 && a.shape.length !== 4) {
    throw new DataError(
      `${what} have shape ${a.shape.join('×') || '()'}; images must be N×H×W (grey) or N×H×W×3 (colour).`,
      'npz-shape',
    );
  }
  if (h !== w || !h) {
    throw new DataError(`${what} are ${h}×${w} pixels; MedMNIST images must be square.`, 'npz-shape');
  }
  return { size: h, channels: c === 3 ? 3 : 1 };
}
