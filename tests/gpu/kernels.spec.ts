/**
 * Our WGSL kernels vs their plain-tfjs references on WebGPU, values and gradients, in the real browser.
 * The cases themselves run in the page (tests/gpu/main.ts); this spec drives it and asserts on the results.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { BenchResult, CaseResult, GpuPageInfo } from './types.ts';

type GpuPage = {
  gpuPageInfo: () => Promise<GpuPageInfo>;
  runGpuCases: (only?: string) => Promise<CaseResult[]>;
  runGpuBench: (runs?: number, warmup?: number, only?: string, kernelOnly?: boolean) => Promise<BenchResult[]>;
};

const OUT = resolve(import.meta.dirname, '../../test-results');

async function openPage(page: Page): Promise<GpuPageInfo> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('./');
  await expect(page).toHaveTitle(/ready/, { timeout: 60_000 });
  const info = await page.evaluate(() => (globalThis as unknown as GpuPage).gpuPageInfo());
  expect(errors, errors.join('\n')).toEqual([]);
  console.log(`backend ${info.backend}, adapter ${info.adapter}${info.compatibilityMode ? ' (compatibility mode)' : ''}, limits ${JSON.stringify(info.deviceLimits)}`);
  return info;
}

test('SSG kernels match their references on WebGPU (values, gradients, kernel used, no leaks)', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  const info = await openPage(page);
  expect(info.backend).toBe('webgpu');
  // SSG_GPU_ONLY='selective scan' runs just the cases whose name contains it.
  const only = process.env.SSG_GPU_ONLY ?? '';
  const results = await page.evaluate((o) => (globalThis as unknown as GpuPage).runGpuCases(o), only);
  for (const r of results) {
    const errs = Object.entries(r.errors).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ');
    console.log(`${r.passed ? 'ok  ' : 'FAIL'} ${r.name} | ${errs} | ${r.detail}`);
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(resolve(OUT, 'gpu-cases.json'), JSON.stringify({ info, results }, null, 2));
  expect(results.length).toBeGreaterThanOrEqual(only ? 1 : 20);
  for (const r of results) expect.soft(r.passed, `${r.name}: ${r.detail}`).toBe(true);
  // registerSsgKernels() is called twice by the page: a second registration would log tfjs's warning.
  expect(warnings.filter((w) => /already registered/.test(w))).toEqual([]);
});

test('timings vs references (reported, not asserted)', async ({ page }) => {
  test.skip(!process.env.SSG_GPU_BENCH, 'set SSG_GPU_BENCH=1 to time the kernels (about 20 minutes on SwiftShader)');
  test.setTimeout(60 * 60_000);
  page.on('console', (m) => {
    if (m.text().startsWith('bench ')) console.log(m.text());
  });
  await openPage(page);
  const runs = Number(process.env.SSG_GPU_BENCH_RUNS ?? 10);
  const only = process.env.SSG_GPU_BENCH_ONLY ?? '';
  // SSG_GPU_BENCH_KERNEL_ONLY=1 times our kernels alone (the references take minutes on SwiftShader).
  const kernelOnly = Boolean(process.env.SSG_GPU_BENCH_KERNEL_ONLY);
  const bench = await page.evaluate(([n, o, k]) => (globalThis as unknown as GpuPage).runGpuBench(n, 2, o, k), [runs, only, kernelOnly] as const);
  for (const b of bench) {
    console.log(`${b.name}: kernel ${b.kernelMs.toFixed(1)} ms, reference ${b.referenceMs.toFixed(1)} ms, speed-up x${b.speedup.toFixed(2)} (median of ${b.runs})`);
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(resolve(OUT, 'gpu-bench.json'), JSON.stringify(bench, null, 2));
});
