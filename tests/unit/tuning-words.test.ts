import { describe, expect, it } from 'vitest';
import { STOCK_TUNING } from '../../src/gpu/kernels/switch.ts';
import { tuningLines } from '../../src/gpu/tuning-words.ts';

describe('the autotune choice in words', () => {
  it('names the program that runs each op: blocked over naive over tfjs', () => {
    const stock = tuningLines(STOCK_TUNING, null);
    expect(stock.map((l) => l.op)).toEqual(['convolution', 'its input gradient', 'its filter gradient', 'matrix product', 'sum and mean']);
    expect(stock.every((l) => l.choice.startsWith('tfjs') && l.measured === null)).toBe(true);
    const t = { ...STOCK_TUNING, naiveConv2d: true, blockedConv2d: true, naiveMatMul: true, flatReduce: true };
    const lines = tuningLines(t, null);
    expect(lines[0]!.choice).toBe('ours, register-blocked');
    expect(lines[3]!.choice).toBe('ours, one invocation per output');
    expect(lines[4]!.choice).toBe('ours, barrier-free');
  });

  it('gives the measured times behind each choice', () => {
    const m = { conv2d: { tiled: 9, naive: 5, blocked: 2.5 }, matmul: { tiled: 4, naive: 3, blocked: 1 }, convGradInput: { tiled: 8, blocked: 2 }, convGradFilter: { tiled: 12, blocked: 3 }, reduce: { tiled: 6, flat: 0.5 } };
    expect(tuningLines(STOCK_TUNING, m)[0]!.measured).toBe('tfjs 9.0 ms, ours 5.0 ms / blocked 2.5 ms');
    expect(tuningLines(STOCK_TUNING, m)[4]!.measured).toBe('tfjs 6.0 ms, ours 0.5 ms');
  });
});
