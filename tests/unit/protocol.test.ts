import { describe, expect, it } from 'vitest';
import { isFromWorker, isToWorker } from '../../src/worker/protocol.ts';

describe('protocol guards', () => {
  it('accepts well-formed requests and cancels', () => {
    expect(isToWorker({ type: 'init', id: 1, backend: 'auto' })).toBe(true);
    expect(isToWorker({ type: 'list-datasets', id: 7 })).toBe(true);
    expect(isToWorker({ type: 'cancel', target: 3 })).toBe(true);
    expect(isToWorker({ type: 'inject-fault', id: 8, kind: 'nan' })).toBe(true); // test-only, but a real request
  });
  it('rejects unknown types, missing or fractional ids, and non-objects', () => {
    expect(isToWorker({ type: 'format-disk', id: 1 })).toBe(false);
    expect(isToWorker({ type: 'init' })).toBe(false);
    expect(isToWorker({ type: 'init', id: 1.5 })).toBe(false);
    expect(isToWorker({ type: 'cancel' })).toBe(false);
    expect(isToWorker(null)).toBe(false);
    expect(isToWorker('init')).toBe(false);
  });
  it('checks replies from the worker', () => {
    expect(isFromWorker({ type: 'result', id: 1, request: 'init', value: {} })).toBe(true);
    expect(isFromWorker({ type: 'progress', id: 1, stage: 's', done: 1, total: 2, message: '' })).toBe(true);
    expect(isFromWorker({ type: 'error', id: 1, code: 'internal', message: 'x' })).toBe(true);
    expect(isFromWorker({ type: 'engine-status', status: 'ready', message: '' })).toBe(true);
    expect(isFromWorker({ type: 'error', id: 1 })).toBe(false);
    expect(isFromWorker({ type: 'progress', id: 1 })).toBe(false);
    expect(isFromWorker({ type: 'mystery' })).toBe(false);
  });
});
