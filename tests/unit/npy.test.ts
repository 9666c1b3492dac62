// The .npy reader: every dtype, both byte orders, Fortran order, header versions, and the ways files go wrong.
import { describe, expect, it } from 'vitest';
import { labelsToUint8, parseNpy, type NpyArray } from '../../src/data/npy.ts';
import { writeNpy } from './fixtures/npy-writer.ts';
import { dataError } from './fixtures/data-error.ts';


const values = (a: NpyArray) => Array.from(a.data as ArrayLike<number | bigint>);

describe('parseNpy: dtypes', () => {
  const cases: [descr: string, vals: (number | bigint)[]][] = [
    ['|b1', [0, 1, 1, 0]],
    ['|u1', [0, 1, 128, 255]],
    ['|i1', [-128, -1, 0, 127]],
    ['<u2', [0, 1, 513, 65535]],
    ['<i2', [-32768, -2, 3, 32767]],
    ['<u4', [0, 1, 70000, 4294967295]],
    ['<i4', [-2147483648, -5, 6, 2147483647]],
    ['<u8', [0n, 1n, 2n ** 40n, 2n ** 64n - 1n]],
    ['<i8', [-(2n ** 63n), -1n, 1n, 2n ** 62n]],
    ['<f2', [0, -1.5, 65504, 2 ** -24]],
    ['<f4', [0, -1.5, 3.25, 1e-3]],
    ['<f8', [0, -1.5, Math.PI, 1e300]],
  ];
  for (const [descr, vals] of cases) {
    for (const order of descr[0] === '|' ? ['|'] : ['<', '>']) {
      const d = order + descr.slice(1);
      it(`reads ${d}`, () => {
        const a = parseNpy(writeNpy({ descr: d, shape: [2, 2], values: vals }));
        expect(a.dtype).toBe(descr.slice(1));
        expect(a.shape).toEqual([2, 2]);
        const expected = descr === '<f4' ? vals.map((v) => Math.fround(Number(v))) : vals;
        expect(values(a)).toEqual(expected);
      });
    }
  }

  it('gives int64 as a BigInt64Array and uint8 as a Uint8Array', () => {
    expect(parseNpy(writeNpy({ descr: '<i8', shape: [1], values: [3n] })).data).toBeInstanceOf(BigInt64Array);
    expect(parseNpy(writeNpy({ descr: '|u1', shape: [1], values: [3] })).data).toBeInstanceOf(Uint8Array);
  });

  it("treats '=' (native) as little-endian", () => {
    const a = parseNpy(writeNpy({ descr: '<i4', shape: [2], values: [1, -2], header: "{'descr': '=i4', 'fortran_order': False, 'shape': (2,), }" }));
    expect(values(a)).toEqual([1, -2]);
  });
});

describe('parseNpy: shapes, order, headers', () => {
  it('reads a MedMNIST-like image stack (N, H, W) uint8', () => {
    const vals = Array.from({ length: 3 * 28 * 28 }, (_, i) => i % 251);
    const a = parseNpy(writeNpy({ descr: '|u1', shape: [3, 28, 28], values: vals }), 'train_images.npy');
    expect(a.shape).toEqual([3, 28, 28]);
    expect(values(a)).toEqual(vals);
  });

  it('reads shape (N,) and the scalar shape ()', () => {
    expect(parseNpy(writeNpy({ descr: '|u1', shape: [5], values: [1, 2, 3, 4, 5] })).shape).toEqual([5]);
    const s = parseNpy(writeNpy({ descr: '<f8', shape: [], values: [2.5] }));
    expect(s.shape).toEqual([]);
    expect(values(s)).toEqual([2.5]);
  });

  it('reads an empty array', () => {
    const a = parseNpy(writeNpy({ descr: '|u1', shape: [0, 28, 28], values: [] }));
    expect(a.shape).toEqual([0, 28, 28]);
    expect(a.data.length).toBe(0);
  });

  it('transposes Fortran order to C order (hand-made bytes)', () => {
    // A 2x3 array [[0,1,2],[3,4,5]] stored column by column is 0 3 1 4 2 5.
    const f = writeNpy({ descr: '|u1', shape: [6], values: [0, 3, 1, 4, 2, 5], header: "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }" });
    const a = parseNpy(f);
    expect(a.shape).toEqual([2, 3]);
    expect(values(a)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('transposes Fortran order for rank 3 and wide, big-endian items', () => {
    const vals = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 1000 - 7);
    const a = parseNpy(writeNpy({ descr: '>i4', shape: [2, 3, 4], values: vals, fortran: true }));
    expect(a.shape).toEqual([2, 3, 4]);
    expect(values(a)).toEqual(vals);
    // Spot check against the index formula: element (1, 2, 3) is C position 1*12 + 2*4 + 3.
    expect(a.data[23]).toBe(vals[23]);
    const i8 = parseNpy(writeNpy({ descr: '<i8', shape: [3, 2], values: [1n, 2n, 3n, 4n, 5n, 6n], fortran: true }));
    expect(values(i8)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
  });

  it('reads version 2.0 and 3.0 headers', () => {
    for (const version of [2, 3] as const) {
      const a = parseNpy(writeNpy({ descr: '<u2', shape: [3], values: [1, 2, 3], version }));
      expect(values(a)).toEqual([1, 2, 3]);
    }
  });

  it('reads headers numpy no longer writes (Python 2 longs, double quotes, no trailing comma)', () => {
    const header = '{"descr": "<u2", "fortran_order": False, "shape": (2L, 2L)}';
    const a = parseNpy(writeNpy({ descr: '<u2', shape: [4], values: [1, 2, 3, 4], header }));
    expect(a.shape).toEqual([2, 2]);
    expect(values(a)).toEqual([1, 2, 3, 4]);
  });

  it('copies unaligned data into a fresh aligned buffer', () => {
    const npy = writeNpy({ descr: '<f8', shape: [2], values: [1.25, -2] });
    const shifted = new Uint8Array(npy.length + 3);
    shifted.set(npy, 3);
    const a = parseNpy(shifted.subarray(3));
    expect(a.data.byteOffset).toBe(0);
    expect(values(a)).toEqual([1.25, -2]);
  });
});

describe('parseNpy: errors', () => {
  it('refuses a file without the .npy signature', () => {
    const e = dataError(() => parseNpy(new TextEncoder().encode('hello, this is not numpy at all'), 'x.npy'));
    expect(e.code).toBe('npy-magic');
    expect(e.message).toContain('x.npy');
  });

  it('says exactly how a truncated file falls short', () => {
    const full = writeNpy({ descr: '|u1', shape: [546, 28, 28], values: new Uint8Array(546 * 28 * 28) });
    const headerEnd = full.length - 546 * 28 * 28;
    const e = dataError(() => parseNpy(full.subarray(0, headerEnd + 1000), 'train_images.npy'));
    expect(e.code).toBe('npy-truncated');
    expect(e.message).toBe(
      'train_images.npy is truncated: the header declares 546×28×28 uint8 (428,064 bytes) but only 1,000 bytes follow.',
    );
  });

  it('refuses a file cut inside its header', () => {
    const full = writeNpy({ descr: '|u1', shape: [2], values: [1, 2] });
    expect(dataError(() => parseNpy(full.subarray(0, 40))).code).toBe('npy-truncated');
  });

  it('refuses unsupported dtypes by name', () => {
    const header = (descr: string) => `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`;
    const make = (descr: string) => writeNpy({ descr: '|u1', shape: [1], values: [0], header: header(descr) });
    const obj = dataError(() => parseNpy(make("'|O'"), 'a.npy'));
    expect(obj.code).toBe('npy-dtype');
    expect(obj.message).toContain('Python objects');
    expect(dataError(() => parseNpy(make("'<U5'"))).message).toContain('text');
    expect(dataError(() => parseNpy(make("'<c8'"))).message).toContain('complex');
    expect(dataError(() => parseNpy(make("[('x', '<f4')]"))).message).toContain('structured');
  });

  it('refuses a damaged header and an unknown version', () => {
    const bad = writeNpy({ descr: '|u1', shape: [1], values: [0], header: "{'descr': '|u1', 'shape': (1,), }" });
    expect(dataError(() => parseNpy(bad)).code).toBe('npy-header');
    const garbled = writeNpy({ descr: '|u1', shape: [1], values: [0], header: "{'descr': '|u1' 'fortran_order' }" });
    expect(dataError(() => parseNpy(garbled)).code).toBe('npy-header');
    const v9 = writeNpy({ descr: '|u1', shape: [1], values: [0] });
    v9[6] = 9;
    const e = dataError(() => parseNpy(v9));
    expect(e.code).toBe('npy-header');
    expect(e.message).toContain('version 9.0');
  });
});

describe('labelsToUint8', () => {
  it('accepts int64 labels of shape (N, 1) and uint8 labels of shape (N,)', () => {
    const a = parseNpy(writeNpy({ descr: '<i8', shape: [4, 1], values: [0n, 1n, 1n, 0n] }));
    expect(Array.from(labelsToUint8(a))).toEqual([0, 1, 1, 0]);
    const b = parseNpy(writeNpy({ descr: '|u1', shape: [3], values: [2, 0, 1] }));
    expect(Array.from(labelsToUint8(b))).toEqual([2, 0, 1]);
    const big = parseNpy(writeNpy({ descr: '>i4', shape: [2], values: [7, 3] }));
    expect(Array.from(labelsToUint8(big))).toEqual([7, 3]);
  });

  it('accepts whole-number floats and refuses fractions and out-of-range values', () => {
    expect(Array.from(labelsToUint8(parseNpy(writeNpy({ descr: '<f4', shape: [2], values: [1, 0] }))))).toEqual([1, 0]);
    expect(dataError(() => labelsToUint8(parseNpy(writeNpy({ descr: '<f4', shape: [1], values: [0.5] })))).code).toBe('labels-range');
    const neg = dataError(() => labelsToUint8(parseNpy(writeNpy({ descr: '<i8', shape: [2], values: [0n, -1n] })), 'y.npy'));
    expect(neg.code).toBe('labels-range');
    expect(neg.message).toContain('-1');
    expect(dataError(() => labelsToUint8(parseNpy(writeNpy({ descr: '<i4', shape: [1], values: [256] })))).code).toBe('labels-range');
  });

  it('refuses multi-label (N, k) arrays with a message saying so', () => {
    const a = parseNpy(writeNpy({ descr: '|u1', shape: [2, 14], values: new Uint8Array(28) }));
    const e = dataError(() => labelsToUint8(a, 'train_labels.npy'));
    expect(e.code).toBe('labels-multilabel');
    expect(e.message).toMatch(/multi-label sets are not supported/);
  });

  it('refuses other shapes', () => {
    const a = parseNpy(writeNpy({ descr: '|u1', shape: [2, 1, 1], values: [0, 1] }));
    expect(dataError(() => labelsToUint8(a)).code).toBe('npy-shape');
    const s = parseNpy(writeNpy({ descr: '|u1', shape: [], values: [0] }));
    expect(dataError(() => labelsToUint8(s)).code).toBe('npy-shape');
  });
});
