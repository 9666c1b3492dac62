/**
 * `npm run bench -- <name> [flags]`: benchmarks, run on demand (never part of `npm test`). They print
 * ratios against a reference measured in the same run, on the same machine.
 *
 *   gan-step   one G+D training iteration of the project's own GAN: WebGPU with our WGSL kernels vs the same
 *              model on stock tfjs ops on the same adapter, and vs the stock WebGL and CPU backends, for each
 *              software adapter (SwiftShader; Mesa lavapipe in compatibility mode where installed).
 *   selective-scan, seg-step   the VM-UNet-lite benchmarks: our WGSL selective scan vs its plain-tfjs
 *              reference, and a VM-UNet-lite training step vs a U-Net's; flags in bench/vmunet/driver.ts.
 *
 * Flags (gan-step): --preset fast|balanced|quality|tiny (fast) --resolution 32|64 (32) --batch N (16)
 *   --channels 1|3 (1) --iters N (3) --warmup N (1) --adapters swiftshader,lavapipe (those present)
 *   --backends webgpu,webgl,cpu (all) --no-r1 --profile-kernels --json FILE --no-build
 *   --tf-flags 'NAME=VALUE;…' (tfjs environment flags set in the page before the backend starts)
 *   --ours-only (WebGPU with our kernels only, no stock-ops run: for profiling; no ratio)
 * Environment: SSG_BENCH_OUT_DIR builds and serves the page from another folder than dist-bench/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview } from 'vite';
import { chromiumArgs, findChromium, type SoftwareAdapter } from '../src/cli/chromium.ts';
import type { AutotuneReport } from '../src/gpu/autotune.ts';
import { formatTable, jsonEntries, type AdapterRun } from './gan-step/report.ts';
import { runVmunetBench } from './vmunet/driver.ts';
import type { BenchBackend, GanStepBenchOptions, GanStepBenchResult } from './gan-step/types.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LAVAPIPE_ICD = ['/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'];

type BenchPage = {
  benchInfo: () => Promise<{ backend: string; adapter: string; compatibilityMode: boolean; tuning: AutotuneReport | null }>;
  runGanStepBench: (o: GanStepBenchOptions) => Promise<GanStepBenchResult>;
};

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      preset: { type: 'string', default: 'fast' },
      resolution: { type: 'string', default: '32' },
      batch: { type: 'string', default: '16' },
      channels: { type: 'string', default: '1' },
      iters: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '1' },
      adapters: { type: 'string' },
      backends: { type: 'string', default: 'webgpu,webgl,cpu' },
      'no-r1': { type: 'boolean', default: false },
      'profile-kernels': { type: 'boolean', default: false },
      json: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'tf-flags': { type: 'string', default: '' },
      'ours-only': { type: 'boolean', default: false },
    },
  });
  const name = positionals[0];
  if (name !== 'gan-step') fail(`unknown benchmark ${name ?? '(none)'}; available: gan-step, selective-scan, seg-step`);
  const int = (flag: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) fail(`--${flag} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const preset = values.preset;
  if (!['tiny', 'fast', 'balanced', 'quality'].includes(preset)) fail(`--preset must be tiny, fast, balanced or quality, got ${preset}`);
  const resolution = int('resolution', values.resolution, 32);
  if (resolution !== 32 && resolution !== 64) fail('--resolution must be 32 or 64');
  const channels = int('channels', values.channels, 1);
  if (channels !== 1 && channels !== 3) fail('--channels must be 1 or 3');
  const backends = values.backends.split(',').filter(Boolean) as BenchBackend[];
  for (const b of backends) if (!['webgpu', 'webgl', 'cpu'].includes(b)) fail(`--backends: unknown backend ${b}`);
  const lavapipe = LAVAPIPE_ICD.some((p) => existsSync(p));
  const adapters = (values.adapters ?? (lavapipe ? 'swiftshader,lavapipe' : 'swiftshader')).split(',').filter(Boolean) as SoftwareAdapter[];
  for (const a of adapters) {
    if (a !== 'swiftshader' && a !== 'lavapipe') fail(`--adapters: unknown adapter ${a} (swiftshader, lavapipe)`);
    if (a === 'lavapipe' && !lavapipe) fail('--adapters lavapipe: Mesa lavapipe is not installed (Debian: apt-get install mesa-vulkan-drivers)');
  }
  if (!values.adapters && !lavapipe) console.log('bench: Mesa lavapipe not installed; timing SwiftShader only (apt-get install mesa-vulkan-drivers adds it)');
  const base = {
    preset: preset as GanStepBenchOptions['preset'],
    resolution: resolution as GanStepBenchOptions['resolution'],
    channels: channels as GanStepBenchOptions['channels'],
    batch: int('batch', values.batch, 1),
    iters: int('iters', values.iters, 1),
    warmup: int('warmup', values.warmup, 1),
    r1: !values['no-r1'],
    profileKernels: values['profile-kernels'],
  };
  return { base, backends, adapters, json: values.json, build: !values['no-build'], tfFlags: values['tf-flags'], oursOnly: values['ours-only'] };
}

async function openBench(browser: Browser, url: string, backend: BenchBackend, tfFlags: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`bench: page error: ${e.message}`));
  await page.goto(`${url}?backend=${backend}&tfflags=${encodeURIComponent(tfFlags)}`);
  await page.waitForFunction(() => document.title.includes(': ready') || document.title.includes(': failed'), null, { timeout: 120_000 });
  const title = await page.title();
  if (title.includes('failed')) throw new Error(title.replace(/^SSGNet benchmarks: /, ''));
  const info = await page.evaluate(() => (globalThis as unknown as BenchPage).benchInfo());
  const t = info.tuning;
  if (t?.measured) {
    const m = t.measured;
    const pick = (on: boolean, name: string): string => (on ? name : 'tfjs');
    console.log(
      `bench: autotune on ${info.adapter} (${(t.ms / 1000).toFixed(1)} s): conv ${t.tuning.blockedConv2d ? 'blocked' : t.tuning.naiveConv2d ? 'naive' : 'tiled'} (tiled ${m.conv2d.tiled.toFixed(1)} ms, naive ${m.conv2d.naive.toFixed(1)} ms, blocked ${m.conv2d.blocked.toFixed(1)} ms), ` +
        `conv input grad ${pick(t.tuning.blockedConvGradInput, 'blocked')} (tfjs ${m.convGradInput.tiled.toFixed(1)} ms, blocked ${m.convGradInput.blocked.toFixed(1)} ms), ` +
        `conv filter grad ${pick(t.tuning.blockedConvGradFilter, 'blocked')} (tfjs ${m.convGradFilter.tiled.toFixed(1)} ms, blocked ${m.convGradFilter.blocked.toFixed(1)} ms), ` +
        `matmul ${t.tuning.blockedMatMul ? 'blocked' : t.tuning.naiveMatMul ? 'naive' : 'tiled'} (tiled ${m.matmul.tiled.toFixed(1)} ms, naive ${m.matmul.naive.toFixed(1)} ms, blocked ${m.matmul.blocked.toFixed(1)} ms), ` +
        `sum/mean ${pick(t.tuning.flatReduce, 'flat')} (tfjs ${m.reduce.tiled.toFixed(1)} ms, flat ${m.reduce.flat.toFixed(1)} ms)`,
    );
  }
  return page;
}

async function measure(page: Page, o: GanStepBenchOptions, label: string): Promise<GanStepBenchResult> {
  const t0 = Date.now();
  console.log(`bench: ${label}…`);
  const r = await page.evaluate((opts) => (globalThis as unknown as BenchPage).runGanStepBench(opts), o);
  const leak = r.tensorsAfter - r.tensorsBefore;
  console.log(
    `bench: ${label}: median ${r.medianMs.toFixed(0)} ms/iter (${r.iterMs.map((m) => m.toFixed(0)).join(', ')}), ${r.launchesPerIter.toFixed(0)} launches, ` +
      `${r.kernelCallsPerIter} tfjs kernels, R1 iteration ${r.r1Ms === null ? 'n/a' : `${r.r1Ms.toFixed(0)} ms`}; ${((Date.now() - t0) / 1000).toFixed(0)} s` +
      (leak !== 0 ? `; WARNING: ${leak} tensors leaked over the timed iterations` : ''),
  );
  for (const k of r.topKernels) console.log(`bench:     ${k.ms.toFixed(1).padStart(9)} ms ${String(k.calls).padStart(4)} calls  ${k.name}`);
  const totals = r.kernelTotals ?? [];
  if (totals.length) {
    const all = totals.reduce((s, k) => s + k.ms, 0);
    console.log(`bench:   by kernel (GPU time of the profiled iteration, ${all.toFixed(0)} ms in all):`);
    for (const k of totals.slice(0, 25)) console.log(`bench:     ${k.ms.toFixed(1).padStart(9)} ms ${String(k.calls).padStart(4)} calls  ${k.name}`);
  }
  return r;
}

async function main(): Promise<void> {
  const { base, backends, adapters, json, build: doBuild, tfFlags, oursOnly } = parse();
  if (doBuild) {
    console.log('bench: building the benchmark page…');
    await build({ configFile: resolve(ROOT, 'vite.bench.config.mts'), logLevel: 'error' });
  } else if (!existsSync(resolve(ROOT, process.env.SSG_BENCH_OUT_DIR ?? 'dist-bench', 'index.html'))) {
    fail('--no-build, but dist-bench/ has no build: run once without --no-build');
  }
  const server = await preview({ configFile: resolve(ROOT, 'vite.bench.config.mts'), logLevel: 'warn', preview: { port: 0, strictPort: false, open: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') fail('the preview server did not report a port');
  const url = `http://127.0.0.1:${address.port}/`;
  const what = `${base.preset} preset, ${base.resolution} px, ${base.channels} channel(s), batch ${base.batch}; median of ${base.iters} after ${base.warmup} warm-up; ${new Date().toISOString().slice(0, 10)}`;
  console.log(`bench: gan-step, ${what}${tfFlags ? `; tfjs flags ${tfFlags}` : ''}`);

  const runs: AdapterRun[] = [];
  let cpuShared: GanStepBenchResult | null = null;
  try {
    for (const adapter of adapters) {
      const args = chromiumArgs(adapter);
      if (base.profileKernels) args.push('--enable-dawn-features=allow_unsafe_apis');
      const browser = await chromium.launch({ executablePath: findChromium(), args, headless: true });
      const run: AdapterRun = { launch: adapter, ours: null, stock: null, webgl: null, cpu: null };
      try {
        for (const backend of backends) {
          // The CPU backend does not depend on the adapter: time it once.
          if (backend === 'cpu' && cpuShared) continue;
          // A fresh page per measurement: its own tfjs backend, buffer pool and pipeline cache, so neither
          // variant inherits the other's warm state.
          const once = async (kernels: boolean, label: string): Promise<GanStepBenchResult> => {
            const page = await openBench(browser, url, backend, tfFlags);
            try {
              return await measure(page, { ...base, backend, kernels }, label);
            } finally {
              await page.close();
            }
          };
          if (backend === 'webgpu') {
            run.ours = await once(true, `${adapter} webgpu, our kernels`);
            if (!oursOnly) run.stock = await once(false, `${adapter} webgpu, stock ops`);
          } else {
            const r = await once(false, `${adapter} ${backend}, stock ops`);
            if (backend === 'webgl') run.webgl = r;
            else cpuShared = run.cpu = r;
          }
        }
      } finally {
        await browser.close();
      }
      runs.push(run);
    }
  } finally {
    await server.close();
  }

  const entries = jsonEntries(runs, cpuShared);
  const params = runs.find((r) => r.ours ?? r.stock)?.ours?.params;
  console.log('');
  console.log(formatTable(entries, `${what}${params ? `; G ${params.G.toLocaleString('en-US')} + D ${params.D.toLocaleString('en-US')} parameters` : ''}`));
  if (json) {
    mkdirSync(dirname(resolve(json)), { recursive: true });
    writeFileSync(resolve(json), `${JSON.stringify(entries, null, 2)}\n`);
    console.log(`\nbench: wrote ${resolve(json)}`);
  }
}

const which = process.argv[2];
const run = which === 'selective-scan' || which === 'seg-step' ? runVmunetBench(which, process.argv.slice(3)) : main();
run.catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
