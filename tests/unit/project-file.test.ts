// The project file: typed arrays, NaN and nested records survive a round trip; newer or unknown stores are
// refused before anything is written; merging keeps what the store already has.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeProject, encodeProject, mergePlan } from '../../src/data/project-file.ts';

const supported = { datasets: 1, genruns: 1 };

describe('project file', () => {
  it('round-trips records with typed arrays, NaN and Infinity', () => {
    const entries = [
      { key: 'datasets', value: { schema: 1, ids: ['a'] } },
      { key: 'dataset:a:meta', value: { name: 'x', counts: { train: { c: 2 } }, loss: NaN, best: -Infinity } },
      { key: 'dataset:a:chunk:0', value: { images: Uint8Array.from([1, 2, 3]), labels: new Uint8Array([0]), w: Float32Array.from([0.5, -1.25]) } },
    ];
    const back = decodeProject(encodeProject(entries, 'test'), 'p.zip', supported);
    expect(back.indexes).toEqual({ datasets: 1 });
    expect(back.entries[0]).toEqual(entries[0]);
    const meta = back.entries[1]!.value as { loss: number; best: number; counts: unknown };
    expect(Number.isNaN(meta.loss)).toBe(true);
    expect(meta.best).toBe(-Infinity);
    const chunk = back.entries[2]!.value as { images: Uint8Array; w: Float32Array };
    expect(chunk.images).toBeInstanceOf(Uint8Array);
    expect(Array.from(chunk.images)).toEqual([1, 2, 3]);
    expect(Array.from(chunk.w)).toEqual([0.5, -1.25]);
  });

  it('refuses other files, newer layouts and unknown stores with a reason', () => {
    expect(() => decodeProject(new Uint8Array([1, 2, 3]), 'x.zip', supported)).toThrow(/not a readable zip/);
    expect(() => decodeProject(zipSync({ 'a.txt': new Uint8Array(1) }), 'x.zip', supported)).toThrow(/no project.json/);
    const doc = (o: object) => zipSync({ 'project.json': new TextEncoder().encode(JSON.stringify({ format: 'ssgnet-project', version: 1, entries: [], ...o })) });
    expect(() => decodeProject(doc({ version: 2 }), 'x.zip', supported)).toThrow(/newer version of the app \(project file version 2/);
    expect(() => decodeProject(doc({ indexes: { datasets: 3 } }), 'x.zip', supported)).toThrow(/layout 3; this app reads up to 1/);
    expect(() => decodeProject(doc({ indexes: { holograms: 1 } }), 'x.zip', supported)).toThrow(/"holograms" records, which this version of the app does not know/);
    expect(() => decodeProject(doc({ format: 'other' }), 'x.zip', supported)).toThrow(/not an SSGNet project file/);
  });

  it('merges indexes and never overwrites a record that is already here', () => {
    const incoming = [
      { key: 'datasets', value: { schema: 1, ids: ['a', 'b'] } },
      { key: 'dataset:a:meta', value: { name: 'theirs' } },
      { key: 'dataset:b:meta', value: { name: 'new' } },
    ];
    const existing = new Map<string, unknown>([
      ['datasets', { schema: 1, ids: ['a', 'z'] }],
      ['dataset:a:meta', { name: 'mine' }],
    ]);
    const plan = mergePlan(incoming, existing);
    expect(plan.writes).toEqual([
      { key: 'datasets', value: { schema: 1, ids: ['a', 'z', 'b'] } },
      { key: 'dataset:b:meta', value: { name: 'new' } },
    ]);
    expect(plan.skipped).toBe(1);
    expect(plan.added).toEqual({ datasets: 1 });
  });
});
