// .npz archives and the MedMNIST layout: synthetic sets built in code, plus the real BreastMNIST file when
// the shared data folder has it (read in place, never copied into the repo).
import { existsSync, readFileSync } from 'node:fs';
import { zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { medMnistName, parseNpz, readMedMnist } from '../../src/data/npz.ts';
import { SPLIT_CODE } from '../../src/data/types.ts';
import { imagesNpy, writeNpy } from './fixtures/npy-writer.ts';
import { dataError } from './fixtures/data-error.ts';


const labels64 = (vals: number[]) => writeNpy({ descr: '<i8', shape: [vals.length, 1], values: vals.map(BigInt) });
const labels8 = (vals: number[]) => writeNpy({ descr: '|u1', shape: [vals.length], values: vals });

/** A MedMNIST-style .npz: 3 train, 2 val, 2 test images of 28x28, labels as numpy's MedMNIST has them. */
function medmnist(over: Record<string, Uint8Array | null> = {}, level: 0 | 6 = 6, channels: 1 | 3 = 1): Uint8Array {
  const files: Record<string, Uint8Array | null> = {
    'train_images.npy': imagesNpy(3, 28, channels, 1),
    'train_labels.npy': labels64([0, 1, 1]),
    'val_images.npy': imagesNpy(2, 28, channels, 2),
    'val_labels.npy': labels64([1, 0]),
    'test_images.npy': imagesNpy(2, 28, channels, 3),
    'test_labels.npy': labels64([0, 1]),
    ...over,
  };
  const z: Zippable = {};
  for (const [k, v] of Object.entries(files)) if (v) z[k] = [v, { level }];
  return zipSync(z);
}

describe('parseNpz', () => {
  it('reads stored and deflated archives, keyed without .npy', () => {
    for (const level of [0, 6] as const) {
      const arrays = parseNpz(medmnist({}, level), 'x.npz');
      expect(Object.keys(arrays).sort()).toEqual(['test_images', 'test_labels', 'train_images', 'train_labels', 'val_images', 'val_labels']);
      expect(arrays.train_images!.shape).toEqual([3, 28, 28]);
      expect(arrays.train_labels!.dtype).toBe('i8');
    }
  });

  it('refuses a garbage file, and a lone .npy passed as .npz', () => {
    const g = dataError(() => parseNpz(new TextEncoder().encode('<html>not found</html>'), 'breastmnist.npz'));
    expect(g.code).toBe('npz-not-zip');
    expect(g.message).toContain('breastmnist.npz is not an .npz file');
    expect(dataError(() => parseNpz(labels8([1]), 'labels.npz')).message).toContain('single NumPy array');
  });

  it('refuses a truncated archive, naming the file', () => {
    const z = medmnist();
    const e = dataError(() => parseNpz(z.subarray(0, z.length - 200), 'breastmnist.npz'));
    expect(e.code).toBe('zip-corrupt');
    expect(e.message).toMatch(/^breastmnist\.npz is damaged or incomplete/);
  });

  it('names the array and the archive when an array inside is truncated', () => {
    const img = imagesNpy(3, 28);
    const e = dataError(() => parseNpz(medmnist({ 'train_images.npy': img.subarray(0, img.length - 5) }), 'b.npz'));
    expect(e.code).toBe('npy-truncated');
    expect(e.message).toContain('train_images.npy in b.npz is truncated: the header declares 3×28×28 uint8 (2,352 bytes) but only 2,347 bytes follow.');
  });
});

describe('readMedMnist', () => {
  it('concatenates train, val, test with their labels and split codes', () => {
    const set = readMedMnist(medmnist(), 'pneumoniamnist.npz');
    expect(set.name).toBe('pneumoniamnist');
    expect(set.size).toBe(28);
    expect(set.channels).toBe(1);
    expect(set.classes).toEqual(['normal', 'pneumonia']);
    expect(Array.from(set.labels)).toEqual([0, 1, 1, 1, 0, 0, 1]);
    const { train, val, test } = SPLIT_CODE;
    expect(Array.from(set.splits)).toEqual([train, train, train, val, val, test, test]);
    expect(set.images.length).toBe(7 * 28 * 28);
    // First pixel of each split's block comes from that split's pattern (seed 1, 2, 3: 13, 26, 39).
    expect([set.images[0], set.images[3 * 784], set.images[5 * 784]]).toEqual([13, 26, 39]);
    expect(set.counts).toEqual({
      train: { normal: 1, pneumonia: 2 },
      val: { normal: 1, pneumonia: 1 },
      test: { normal: 1, pneumonia: 1 },
    });
  });

  it('reads colour images and flat uint8 labels', () => {
    const z = medmnist({ 'train_labels.npy': labels8([0, 1, 2]), 'val_labels.npy': labels8([2, 1]), 'test_labels.npy': labels8([0, 2]) }, 0, 3);
    const set = readMedMnist(z, 'my_own_set.npz');
    expect(set.channels).toBe(3);
    expect(set.images.length).toBe(7 * 28 * 28 * 3);
    expect(set.classes).toEqual(['class 0', 'class 1', 'class 2']);
  });

  it('takes the class count from the labels or the table, whichever is larger', () => {
    const z = medmnist({ 'train_labels.npy': labels8([0, 1, 2]) });
    expect(readMedMnist(z, 'breastmnist.npz').classes).toEqual(['malignant', 'normal, benign', 'class 2']);
    const onlyTwo = readMedMnist(medmnist(), 'bloodmnist_64.npz');
    expect(onlyTwo.name).toBe('bloodmnist');
    expect(onlyTwo.classes).toHaveLength(8);
    expect(onlyTwo.counts.train.platelet).toBe(0);
  });

  it('names a set from its file name', () => {
    expect(medMnistName('BreastMNIST.npz')).toBe('breastmnist');
    expect(medMnistName('downloads/dermamnist_224 (1).npz')).toBe('dermamnist');
    expect(medMnistName('C:\\data\\octmnist.npz')).toBe('octmnist');
  });

  it('names the missing arrays and the arrays found', () => {
    const e = dataError(() => readMedMnist(medmnist({ 'val_labels.npy': null, 'test_images.npy': null }), 'b.npz'));
    expect(e.code).toBe('npz-missing');
    expect(e.message).toContain('it lacks val_labels, test_images.');
    expect(e.message).toContain('this one holds train_images, train_labels, val_images, test_labels.');
  });

  it('refuses 3-D volumes', () => {
    const vol = writeNpy({ descr: '|u1', shape: [3, 28, 28, 28], values: new Uint8Array(3 * 28 ** 3) });
    const e = dataError(() => readMedMnist(medmnist({ 'train_images.npy': vol }), 'organmnist3d.npz'));
    expect(e.code).toBe('npz-3d');
    expect(e.message).toContain('3-D sets are not supported');
  });

  it('refuses non-uint8 and non-square images, and images that do not match their labels', () => {
    const f32 = writeNpy({ descr: '<f4', shape: [3, 28, 28], values: new Float32Array(3 * 784) });
    expect(dataError(() => readMedMnist(medmnist({ 'train_images.npy': f32 }), 'b.npz')).code).toBe('npz-dtype');
    const rect = writeNpy({ descr: '|u1', shape: [3, 28, 32], values: new Uint8Array(3 * 28 * 32) });
    expect(dataError(() => readMedMnist(medmnist({ 'train_images.npy': rect }), 'b.npz')).code).toBe('npz-shape');
    const other = imagesNpy(2, 64);
    expect(dataError(() => readMedMnist(medmnist({ 'val_images.npy': other }), 'b.npz')).message).toContain('same image size');
    const e = dataError(() => readMedMnist(medmnist({ 'train_labels.npy': labels64([0, 1]) }), 'b.npz'));
    expect(e.code).toBe('npz-shape');
    expect(e.message).toContain('3 train images but 2 train labels');
  });

  it('refuses multi-label sets (ChestMNIST)', () => {
    const multi = (n: number) => writeNpy({ descr: '|u1', shape: [n, 14], values: new Uint8Array(n * 14) });
    const z = medmnist({ 'train_labels.npy': multi(3), 'val_labels.npy': multi(2), 'test_labels.npy': multi(2) });
    expect(dataError(() => readMedMnist(z, 'chestmnist.npz')).code).toBe('labels-multilabel');
  });

  it('refuses a set with a single class', () => {
    const z = medmnist({ 'train_labels.npy': labels8([1, 1, 1]), 'val_labels.npy': labels8([1, 1]), 'test_labels.npy': labels8([1, 1]) });
    const e = dataError(() => readMedMnist(z, 'b.npz'));
    expect(e.code).toBe('single-class');
    expect(e.message).toContain('at least two classes');
  });
});

const BREAST = '/work/shared/data/breastmnist/breastmnist.npz';

describe('readMedMnist on the real BreastMNIST', () => {
  const present = existsSync(BREAST);
  const title = present ? `gives the official split sizes and class counts (${BREAST})` : `skipped: ${BREAST} is not on this machine`;
  it.skipIf(!present)(title, () => {
    const set = readMedMnist(new Uint8Array(readFileSync(BREAST)), 'breastmnist.npz');
    expect(set.name).toBe('breastmnist');
    expect([set.size, set.channels]).toEqual([28, 1]);
    expect(set.classes).toEqual(['malignant', 'normal, benign']);
    expect(set.labels.length).toBe(546 + 78 + 156);
    expect(set.images.length).toBe((546 + 78 + 156) * 28 * 28);
    expect(set.counts).toEqual({
      train: { malignant: 147, 'normal, benign': 399 },
      val: { malignant: 21, 'normal, benign': 57 },
      test: { malignant: 42, 'normal, benign': 114 },
    });
  });
});
