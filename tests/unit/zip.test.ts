// The zip reader: ordinary archives (stored and deflated, as fflate and numpy write them), zip64, OS junk,
// damaged archives, and archives built to exhaust memory (zip bombs, and sizes that lie).
import { deflateSync, inflateSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isZip, readZip } from '../../src/data/zip.ts';
import { dataError } from './fixtures/data-error.ts';


const text = (s: string) => new TextEncoder().encode(s);

/** Byte equality; vitest's toEqual walks large typed arrays slowly. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function crc32(d: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of d) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface RawEntry {
  name: string;
  /** The bytes as stored (already compressed for method 8). */
  data: Uint8Array;
  method: number;
  /** What the central directory declares; may be a lie. */
  size: number;
  crc: number;
  flags?: number;
}

/**
 * A zip written by hand, so the central directory can say anything (fflate's writer always tells the truth),
 * optionally with zip64 records (as large archives, and numpy, use), and an archive comment.
 */
function rawZip(entries: RawEntry[], opts: { zip64?: boolean; comment?: string } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = text(e.name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, e.flags ?? 0, true);
    local.setUint16(8, e.method, true);
    local.setUint32(14, e.crc, true);
    local.setUint32(18, e.data.length, true);
    local.setUint32(22, e.size, true);
    local.setUint16(26, name.length, true);
    parts.push(new Uint8Array(local.buffer), name, e.data);

    const extra = new DataView(new ArrayBuffer(opts.zip64 ? 28 : 0));
    if (opts.zip64) {
      extra.setUint16(0, 1, true);
      extra.setUint16(2, 24, true);
      extra.setBigUint64(4, BigInt(e.size), true);
      extra.setBigUint64(12, BigInt(e.data.length), true);
      extra.setBigUint64(20, BigInt(offset), true);
    }
    const big = (v: number) => (opts.zip64 ? 0xffffffff : v);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, e.flags ?? 0, true);
    c.setUint16(10, e.method, true);
    c.setUint32(16, e.crc, true);
    c.setUint32(20, big(e.data.length), true);
    c.setUint32(24, big(e.size), true);
    c.setUint16(28, name.length, true);
    c.setUint16(30, extra.byteLength, true);
    c.setUint32(42, big(offset), true);
    central.push(new Uint8Array(c.buffer), name, new Uint8Array(extra.buffer));
    offset += 30 + name.length + e.data.length;
  }
  const cdSize = central.reduce((a, p) => a + p.length, 0);
  const tail: Uint8Array[] = [];
  if (opts.zip64) {
    const z = new DataView(new ArrayBuffer(56 + 20));
    z.setUint32(0, 0x06064b50, true);
    z.setBigUint64(4, 44n, true);
    z.setBigUint64(24, BigInt(entries.length), true);
    z.setBigUint64(32, BigInt(entries.length), true);
    z.setBigUint64(40, BigInt(cdSize), true);
    z.setBigUint64(48, BigInt(offset), true);
    z.setUint32(56, 0x07064b50, true);
    z.setBigUint64(64, BigInt(offset + cdSize), true);
    z.setUint32(72, 1, true);
    tail.push(new Uint8Array(z.buffer));
  }
  const comment = text(opts.comment ?? '');
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, opts.zip64 ? 0xffff : entries.length, true);
  end.setUint16(10, opts.zip64 ? 0xffff : entries.length, true);
  end.setUint32(12, opts.zip64 ? 0xffffffff : cdSize, true);
  end.setUint32(16, opts.zip64 ? 0xffffffff : offset, true);
  end.setUint16(20, comment.length, true);
  tail.push(new Uint8Array(end.buffer), comment);
  const all = [...parts, ...central, ...tail];
  const out = new Uint8Array(all.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A raw deflate stream of 1 + 258 * runs zero bytes, written bit by bit: one fixed-Huffman block holding a
 * literal 0 and then `runs` copies of (length 258, distance 1), 13 bits each. About 160:1, built in
 * milliseconds, where deflating 300 MB with fflate takes seconds.
 */
function zeroBomb(runs: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((3 + 8 + runs * 13 + 7) / 8) + 1);
  let bit = 0;
  const put = (value: number, n: number) => {
    for (let i = 0; i < n; i++, bit++) if ((value >> i) & 1) out[bit >> 3]! |= 1 << (bit & 7);
  };
  // Huffman codes go most significant bit first, so they are reversed into the LSB-first bit stream.
  const code = (value: number, n: number) => {
    let r = 0;
    for (let i = 0; i < n; i++) r |= ((value >> i) & 1) << (n - 1 - i);
    put(r, n);
  };
  put(1, 1); // BFINAL
  put(1, 2); // BTYPE = fixed Huffman
  code(0x30, 8); // literal 0
  for (let i = 0; i < runs; i++) {
    code(0xc5, 8); // length symbol 285 = 258 bytes
    code(0, 5); // distance symbol 0 = 1 byte back
  }
  code(0, 7); // end of block (256)
  return out.subarray(0, Math.ceil(bit / 8));
}

describe('isZip', () => {
  it('knows a zip, an empty zip and a non-zip', () => {
    expect(isZip(zipSync({ 'a.txt': text('a') }))).toBe(true);
    expect(isZip(zipSync({}))).toBe(true);
    expect(isZip(text('hello world'))).toBe(false);
    expect(isZip(new Uint8Array(0))).toBe(false);
  });
});

describe('readZip', () => {
  it('reads stored and deflated entries, keeping folders in paths', () => {
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) % 7);
    const zip = zipSync({
      'stored.txt': [text('hello'), { level: 0 }],
      'data/deflated.bin': [big, { level: 6 }],
    });
    const entries = readZip(zip);
    expect(entries.map((e) => e.path)).toEqual(['stored.txt', 'data/deflated.bin']);
    expect(new TextDecoder().decode(entries[0]!.bytes)).toBe('hello');
    expect(sameBytes(entries[1]!.bytes, big)).toBe(true);
  });

  it('reads an empty archive', () => {
    expect(readZip(zipSync({}))).toEqual([]);
  });

  it('skips folders and macOS junk', () => {
    const zip = zipSync({
      'set/': {},
      'set/a.png': text('A'),
      'set/.DS_Store': text('x'),
      '__MACOSX/set/._a.png': text('x'),
      'set/._b.png': text('x'),
    });
    expect(readZip(zip).map((e) => e.path)).toEqual(['set/a.png']);
  });

  it('reads zip64 records and an archive comment', () => {
    const data = text('zip64 contents');
    const zip = rawZip([{ name: 'a.txt', data, method: 0, size: data.length, crc: crc32(data) }], { zip64: true, comment: 'made by hand' });
    expect(readZip(zip).map((e) => new TextDecoder().decode(e.bytes))).toEqual(['zip64 contents']);
  });

  it('refuses a file that is not a zip', () => {
    const e = dataError(() => readZip(text('this is a text file, not an archive at all'), {}, 'notes.zip'));
    expect(e.code).toBe('zip-corrupt');
    expect(e.message).toBe('notes.zip is not a zip archive.');
    expect(dataError(() => readZip(text('garbage'))).message).toBe('This file is not a zip archive.');
  });

  it('refuses truncated archives', () => {
    const zip = zipSync({ 'a.bin': new Uint8Array(5000).map((_, i) => i & 0xff), 'b.bin': text('b') });
    for (const cut of [zip.length - 10, Math.floor(zip.length / 2), 30]) {
      const e = dataError(() => readZip(zip.subarray(0, cut)));
      expect(e.code).toBe('zip-corrupt');
      expect(e.message).toMatch(/damaged or incomplete/);
    }
  });

  it('refuses damaged data by its checksum', () => {
    const zip = zipSync({ 'a.txt': [text('hello world'), { level: 0 }] });
    const bad = zip.slice();
    bad[30 + 'a.txt'.length + 2]! ^= 0xff; // a byte inside the stored data
    const e = dataError(() => readZip(bad));
    expect(e.code).toBe('zip-corrupt');
    expect(e.message).toContain('checksum');
  });

  it('refuses encrypted entries and unknown compression methods', () => {
    const d = text('x');
    expect(dataError(() => readZip(rawZip([{ name: 'a', data: d, method: 0, size: 1, crc: crc32(d), flags: 1 }]))).message).toContain('encrypted');
    expect(dataError(() => readZip(rawZip([{ name: 'a', data: d, method: 12, size: 1, crc: crc32(d) }]))).code).toBe('zip-unsupported');
  });

  it('refuses more entries than the limit', () => {
    const zip = zipSync({ a: text('1'), b: text('2'), c: text('3'), d: text('4') });
    expect(readZip(zip, { maxEntries: 4 })).toHaveLength(4);
    expect(dataError(() => readZip(zip, { maxEntries: 3 })).code).toBe('zip-too-many-files');
  });

  it('refuses an entry over the per-file limit', () => {
    const zip = zipSync({ a: new Uint8Array(2000), b: new Uint8Array(10) });
    expect(dataError(() => readZip(zip, { maxEntryBytes: 1000 })).code).toBe('zip-too-large');
  });
});

describe('readZip: zip bombs', () => {
  it('the hand-made bomb stream is valid deflate', () => {
    expect(sameBytes(inflateSync(zeroBomb(1000)), new Uint8Array(1 + 258 * 1000))).toBe(true);
  });

  it('refuses an fflate-made bomb on its declared size', () => {
    const zip = zipSync({ 'zeros.bin': new Uint8Array(4_000_000) }, { level: 1 });
    expect(zip.length).toBeLessThan(20_000);
    const e = dataError(() => readZip(zip, { maxTotalBytes: 1_000_000 }));
    expect(e.code).toBe('zip-too-large');
    expect(e.message).toContain('4.0 MB');
  });

  it('refuses 300 MB of zeros on its declared size, before inflating', () => {
    const runs = 1_200_000; // 309.6 MB
    const packed = zeroBomb(runs);
    const zip = rawZip([{ name: 'zeros.bin', data: packed, method: 8, size: 1 + 258 * runs, crc: 0 }]);
    const t = performance.now();
    const e = dataError(() => readZip(zip, { maxTotalBytes: 64_000_000 }));
    expect(e.code).toBe('zip-too-large');
    expect(e.message).toContain('309.6 MB');
    expect(performance.now() - t).toBeLessThan(500);
  });

  it('refuses an archive that declares 1 KB and inflates to 300 MB, without inflating it all', () => {
    const packed = zeroBomb(1_200_000);
    const zip = rawZip([{ name: 'small.txt', data: packed, method: 8, size: 1000, crc: 0 }]);
    const t = performance.now();
    const e = dataError(() => readZip(zip));
    expect(e.code).toBe('zip-too-large');
    expect(e.message).toMatch(/small\.txt .*expands to more than the 1\.0 KB its header declares/);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('refuses an archive that declares more than its data holds', () => {
    const data = new Uint8Array(5000).fill(7);
    const lying = rawZip([{ name: 'a.bin', data: deflateSync(data), method: 8, size: 6000, crc: crc32(data) }]);
    const e = dataError(() => readZip(lying));
    expect(e.code).toBe('zip-corrupt');
    expect(e.message).toContain('holds 5,000 bytes, not the 6,000');
  });
});
