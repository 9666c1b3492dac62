import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngBytes } from '../../bench/device/png.ts';
import { createStore, del, entries, get, getMany, keys, set, setMany } from '../../bench/device/memory-kv.ts';

/** Splits a PNG into its chunks, checking each CRC on the way. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc32(png.subarray(at + 4, at + 8 + len)) >>> 0);
    out.push({ type, data });
    at += 12 + len;
  }
  return out;
}

describe('device harness PNG writer', () => {
  it('writes RGB rows behind filter byte 0, with valid chunk CRCs', () => {
    const px = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]); // 3 x 2 RGB
    const c = chunks(pngBytes(px, 3, 2, 3));
    expect(c.map((x) => x.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(c[0]!.data.readUInt32BE(0)).toBe(3);
    expect(c[0]!.data.readUInt32BE(4)).toBe(2);
    expect([c[0]!.data[8], c[0]!.data[9]]).toEqual([8, 2]);
    expect([...inflateSync(c[1]!.data)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
  });

  it('writes grey images as colour type 0', () => {
    const c = chunks(pngBytes(Uint8Array.from([0, 255]), 1, 2, 1));
    expect(c[0]!.data[9]).toBe(0);
    expect([...inflateSync(c[1]!.data)]).toEqual([0, 0, 0, 255]);
  });
});

describe('device harness in-memory idb-keyval', () => {
  it('stores copies, as IndexedDB does, per named store', async () => {
    const s = createStore('db', 'kv');
    const value = { a: new Float32Array([1, 2]) };
    await set('k', value, s);
    value.a[0] = 99; // a caller's later change must not reach the stored record
    const back = await get<{ a: Float32Array }>('k', s);
    expect([...back!.a]).toEqual([1, 2]);
    back!.a[1] = 7; // nor a change to what was read
    expect([...(await get<{ a: Float32Array }>('k', s))!.a]).toEqual([1, 2]);
    expect(createStore('db', 'kv')).toBe(s);
    expect(await get('k', createStore('db', 'other'))).toBeUndefined();
  });

  it('reads and writes many, lists keys and entries, deletes', async () => {
    const s = createStore('db2', 'kv');
    await setMany([['a', 1], ['b', 2]], s);
    expect(await getMany(['b', 'a', 'z'], s)).toEqual([2, 1, undefined]);
    expect((await keys(s)).sort()).toEqual(['a', 'b']);
    await del('a', s);
    expect(await entries(s)).toEqual([['b', 2]]);
  });
});
