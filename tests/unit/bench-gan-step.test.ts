/** The benchmark's arithmetic: FLOP counts per kernel and the JSON contract built from measurements. */
import { describe, expect, it } from 'vitest';
import { kernelFlops, totalFlops } from '../../bench/gan-step/flops.ts';
import { jsonEntries } from '../../bench/gan-step/report.ts';
import type { GanStepBenchResult } from '../../bench/gan-step/types.ts';

describe('kernelFlops', () => {
  it('counts a convolution as 2 x outputs x taps x input channels, the same for both backward passes', () => {
    const fwd = kernelFlops({ name: 'Conv2D', inputShapes: [[2, 8, 8, 3], [3, 3, 3, 5]], outputShapes: [[2, 8, 8, 5]] });
    expect(fwd).toBe(2 * 2 * 8 * 8 * 5 * 9 * 3);
    expect(kernelFlops({ name: 'Conv2DBackpropInput', inputShapes: [[2, 8, 8, 5], [3, 3, 3, 5]], outputShapes: [[2, 8, 8, 3]] })).toBe(fwd);
    expect(kernelFlops({ name: 'Conv2DBackpropFilter', inputShapes: [[2, 8, 8, 3], [2, 8, 8, 5]], outputShapes: [[3, 3, 3, 5]] })).toBe(fwd);
  });

  it('finds K of a matrix product whether or not a is transposed', () => {
    expect(kernelFlops({ name: 'BatchMatMul', inputShapes: [[1, 4, 6], [1, 6, 5]], outputShapes: [[1, 4, 5]] })).toBe(2 * 4 * 5 * 6);
    expect(kernelFlops({ name: 'BatchMatMul', inputShapes: [[1, 6, 4], [1, 6, 5]], outputShapes: [[1, 4, 5]] })).toBe(2 * 4 * 5 * 6);
  });

  it('counts depthwise taps and leaves elementwise ops at zero', () => {
    expect(kernelFlops({ name: 'DepthwiseConv2dNative', inputShapes: [[1, 10, 10, 4], [1, 12, 4, 1]], outputShapes: [[1, 10, 5, 4]] })).toBe(2 * 200 * 12);
    expect(kernelFlops({ name: 'Multiply', inputShapes: [[100], [100]], outputShapes: [[100]] })).toBe(0);
    expect(totalFlops([])).toBe(0);
  });
});

function result(p: Partial<GanStepBenchResult>): GanStepBenchResult {
  return {
    backend: 'webgpu', kernels: true, preset: 'fast', adapter: 'google swiftshader', compatibilityMode: false, iterMs: [100], medianMs: 100, r1Ms: null,
    launchesPerIter: 10, kernelCallsPerIter: 12, flopsPerIter: 0, topKernels: [], tensorsBefore: 5, tensorsAfter: 5, params: { G: 1, D: 2 }, ...p,
  };
}

describe('jsonEntries', () => {
  it('keeps the contract keys and takes ratios against the same run', () => {
    const [e] = jsonEntries(
      [{ launch: 'swiftshader', ours: result({}), stock: result({ kernels: false, medianMs: 450, flopsPerIter: 2e9 }), webgl: result({ backend: 'webgl', medianMs: 300 }), cpu: null }],
      result({ backend: 'cpu', medianMs: 900 }),
    );
    expect(e).toMatchObject({ adapter: 'google swiftshader', ms_per_iter: 100, launches_per_iter: 10, stock_ms_per_iter: 450, ratio: 4.5, gflops: 20 });
    expect(e?.ratio_vs_best_stock).toBe(3);
    expect(e?.cpu_ms_per_iter).toBe(900);
  });
});
