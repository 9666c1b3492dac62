import { describe, expect, it } from 'vitest';
import { detectLayout, parseSplitsCsv, splitFromPath } from '../../src/data/import/layout.ts';

describe('detectLayout', () => {
  it('pairs ISIC images with their _segmentation masks and reports the unpaired', () => {
    const l = detectLayout(['isic/ISIC_1.jpg', 'isic/ISIC_1_segmentation.png', 'isic/ISIC_2.jpg', 'isic/ISIC_3_segmentation.png', 'isic/splits.csv', 'isic/notes.docx']);
    expect(l.kind).toBe('pairs');
    if (l.kind !== 'pairs') return;
    expect(l.convention).toBe('isic');
    expect(l.pairs).toEqual([{ id: 'ISIC_1', image: 'isic/ISIC_1.jpg', mask: 'isic/ISIC_1_segmentation.png', split: null }]);
    expect(l.splitsCsv).toBe('isic/splits.csv');
    const reasons = Object.fromEntries(l.skipped.map((s) => [s.path, s.reason]));
    expect(reasons['isic/ISIC_3_segmentation.png']).toMatch(/mask without an image/);
    expect(reasons['isic/ISIC_2.jpg']).toMatch(/image without a mask/);
    expect(reasons['isic/notes.docx']).toMatch(/not an image file \(\.docx\)/);
  });

  it('pairs a Kvasir images/ + masks/ tree by name, per split folder, ignoring dataset metadata', () => {
    const l = detectLayout([
      'kv/images/a.jpg', 'kv/masks/a.jpg', 'kv/images/b.jpg', 'kv/masks/c.jpg', 'kv/MANIFEST.txt', 'kv/list.tsv',
      'kv/train/images/d.jpg', 'kv/train/masks/d.png',
    ]);
    expect(l.kind).toBe('pairs');
    if (l.kind !== 'pairs') return;
    expect(l.convention).toBe('kvasir');
    expect(l.pairs.map((p) => [p.id, p.split])).toEqual([['a', null], ['d', 'train']]);
    expect(l.skipped.map((s) => s.path).sort()).toEqual(['kv/images/b.jpg', 'kv/masks/c.jpg']);
  });

  it('reads class folders, with or without split folders above them, and finds empty classes', () => {
    const l = detectLayout(['set/train/benign/1.png', 'set/test/benign/2.PNG', 'set/train/malignant/3.jpeg', 'set/val/malignant/4.bmp', 'set/normal/readme.rtf', '__MACOSX/set/._1.png', 'set/.DS_Store']);
    expect(l.kind).toBe('class-folders');
    if (l.kind !== 'class-folders') return;
    expect(l.classes).toEqual(['benign', 'malignant']);
    expect(l.items.map((i) => [i.className, i.split])).toEqual([['benign', 'train'], ['benign', 'test'], ['malignant', 'train'], ['malignant', 'val']]);
    expect(l.emptyClasses).toEqual(['normal']);
    expect(l.skipped.map((s) => s.path)).toEqual(['set/normal/readme.rtf']);
  });

  it('treats loose images in the picked folder as one class, and loose files in an archive root as unplaced', () => {
    const a = detectLayout(['picked/1.png', 'picked/2.png']);
    expect(a.kind === 'class-folders' && a.classes).toEqual(['picked']);
    const b = detectLayout(['1.png', 'x/2.png']);
    expect(b.kind === 'class-folders' && b.skipped.map((s) => s.reason)).toEqual(['not inside a class folder (expected <class>/<image>)']);
  });
});

describe('splits from the source', () => {
  it('reads split folder names', () => {
    expect(splitFromPath('a/Validation/c/x.png')).toBe('val');
    expect(splitFromPath('a/testing/x.png')).toBe('test');
    expect(splitFromPath('train.png')).toBeNull();
  });
  it('reads a splits.csv by image id, ignoring unknown splits', () => {
    const m = parseSplitsCsv('image_id,split,other\r\nISIC_1,train,x\nISIC_2,val,y\nISIC_3.jpg,test,z\nISIC_4,holdout,w\n');
    expect([...m]).toEqual([['ISIC_1', 'train'], ['ISIC_2', 'val'], ['ISIC_3', 'test']]);
    expect(parseSplitsCsv('a,b\n1,2').size).toBe(0);
  });
});
