/**
 * Turns the raw measurements of `npm run bench -- gan-step` into the printed table and the JSON contract:
 * `[{"adapter","ms_per_iter","launches_per_iter","gflops","stock_ms_per_iter","ratio"}]`, one entry per
 * WebGPU adapter (more keys may be added; these are never renamed).
 */
import type { GanStepBenchResult } from './types.ts';

/** Everything measured in one browser launched on one adapter. */
export interface AdapterRun {
  /** Which software adapter the browser was launched with ('swiftshader', 'lavapipe'). */
  launch: string;
  ours: GanStepBenchResult | null;
  stock: GanStepBenchResult | null;
  webgl: GanStepBenchResult | null;
  cpu: GanStepBenchResult | null;
}

export interface GanStepJsonEntry {
  adapter: string;
  ms_per_iter: number | null;
  launches_per_iter: number | null;
  /** Effective GFLOP/s: the stock model's conv/matmul/FIR FLOPs (flops.ts) over our median time. */
  gflops: number | null;
  stock_ms_per_iter: number | null;
  /** stock_ms_per_iter / ms_per_iter: how many times faster our kernels make the iteration. */
  ratio: number | null;
  stock_launches_per_iter: number | null;
  r1_ms: number | null;
  stock_r1_ms: number | null;
  /** Stock tfjs on the other backends of the same browser launch, and the ratio against ours. */
  webgl_renderer: string | null;
  webgl_ms_per_iter: number | null;
  cpu_ms_per_iter: number | null;
  ratio_vs_best_stock: number | null;
  gflop_per_iter: number | null;
  compatibility_mode: boolean | null;
  launch: string;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** GFLOP/s of a measurement, using the FLOP count of the stock path (see flops.ts). */
function gflops(r: GanStepBenchResult | null, flops: number | null): number | null {
  return r && flops ? round(flops / (r.medianMs * 1e6), 2) : null;
}

export function jsonEntries(runs: readonly AdapterRun[], cpuShared: GanStepBenchResult | null): GanStepJsonEntry[] {
  return runs.map((run) => {
    const { ours, stock, webgl } = run;
    const cpu = run.cpu ?? cpuShared;
    // FLOPs from a stock path (every op a known tfjs kernel); ours alone would miss the work inside our kernels.
    const flops = [stock, webgl, cpu].find((r) => r && r.flopsPerIter > 0)?.flopsPerIter ?? null;
    const stockOthers = [stock, webgl, cpu].filter((r): r is GanStepBenchResult => r !== null).map((r) => r.medianMs);
    const bestStock = stockOthers.length ? Math.min(...stockOthers) : null;
    return {
      adapter: ours?.adapter || stock?.adapter || run.launch,
      ms_per_iter: ours ? round(ours.medianMs) : null,
      launches_per_iter: ours ? round(ours.launchesPerIter) : null,
      gflops: gflops(ours, flops),
      stock_ms_per_iter: stock ? round(stock.medianMs) : null,
      ratio: ours && stock ? round(stock.medianMs / ours.medianMs, 2) : null,
      stock_launches_per_iter: stock ? round(stock.launchesPerIter) : null,
      r1_ms: ours?.r1Ms != null ? round(ours.r1Ms) : null,
      stock_r1_ms: stock?.r1Ms != null ? round(stock.r1Ms) : null,
      webgl_renderer: webgl?.adapter ?? null,
      webgl_ms_per_iter: webgl ? round(webgl.medianMs) : null,
      cpu_ms_per_iter: cpu ? round(cpu.medianMs) : null,
      ratio_vs_best_stock: ours && bestStock !== null ? round(bestStock / ours.medianMs, 2) : null,
      gflop_per_iter: flops ? round(flops / 1e9, 2) : null,
      compatibility_mode: ours?.compatibilityMode ?? stock?.compatibilityMode ?? null,
      launch: run.launch,
    };
  });
}

const fmt = (x: number | null, unit = ''): string => (x === null ? 'n/a' : `${x.toLocaleString('en-US')}${unit}`);

/** The human-readable table, one block per adapter. */
export function formatTable(entries: readonly GanStepJsonEntry[], what: string): string {
  const lines = [`gan-step: ${what}`];
  for (const e of entries) {
    lines.push('');
    lines.push(`adapter: ${e.adapter}${e.compatibility_mode ? ' (compatibility mode)' : ''} [launched as ${e.launch}]`);
    lines.push(`  ours (WebGPU + SSG kernels): ${fmt(e.ms_per_iter, ' ms/iter')}, ${fmt(e.launches_per_iter)} launches/iter, ${fmt(e.gflops)} GFLOP/s, R1 iteration ${fmt(e.r1_ms, ' ms')}`);
    lines.push(`  stock ops, same adapter:     ${fmt(e.stock_ms_per_iter, ' ms/iter')}, ${fmt(e.stock_launches_per_iter)} launches/iter, R1 iteration ${fmt(e.stock_r1_ms, ' ms')}  -> ratio x${fmt(e.ratio)}`);
    if (e.webgl_ms_per_iter !== null) lines.push(`  stock WebGL (${e.webgl_renderer ?? '?'}): ${fmt(e.webgl_ms_per_iter, ' ms/iter')}`);
    if (e.cpu_ms_per_iter !== null) lines.push(`  stock CPU backend: ${fmt(e.cpu_ms_per_iter, ' ms/iter')}`);
    lines.push(`  vs best stock backend measured here: x${fmt(e.ratio_vs_best_stock)}   (${fmt(e.gflop_per_iter)} GFLOP of conv/matmul/FIR per iteration)`);
  }
  return lines.join('\n');
}
