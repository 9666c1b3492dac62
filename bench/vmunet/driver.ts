/**
 * The Node half of `npm run bench -- selective-scan` and `npm run bench -- seg-step` (bench/run.ts hands
 * these two names over): builds and serves the benchmark page, launches one Chromium per software adapter,
 * and measures each variant in a fresh page (its own tfjs backend, buffer pool and pipeline cache), as
 * gan-step does. Prints a table with the ratios and, with --json FILE, writes the entries.
 *
 *   selective-scan  our WGSL scan (forward; forward + all six gradients) vs the plain-tfjs reference on the
 *                   same adapter. Flags: --batch N (16: 4 images x 4 directions) --len L (256: 16x16 tokens)
 *                   --channels Dc (64) --states N (16) --iters N (5) --warmup N (1)
 *   seg-step        one training step (BCE + Dice, AdamW) of VM-UNet-lite with our kernels vs the U-Net of
 *                   about the same parameter count (same preset name), and VM-UNet on stock ops (the scan's
 *                   reference). Flags: --preset tiny|small (small) --size PX (64) --channels 1|3 (1)
 *                   --batch N (4) --iters N (3) --warmup N (1) --variants vmunet,unet,vmunet-stock,unet-stock
 *                   (all but unet-stock: the U-Net on stock ops, i.e. without the autotune's conv/matmul kernels)
 *                   --profile-kernels (also prints one step's GPU time per kernel name, per variant)
 *   Both: --adapters swiftshader,lavapipe (those present) --json FILE --no-build
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview } from 'vite';
import { chromiumArgs, findChromium, type SoftwareAdapter } from '../../src/cli/chromium.ts';
import type { ScanBenchOptions, ScanBenchResult, SegStepBenchOptions, SegStepBenchResult } from './types.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const LAVAPIPE_ICD = ['/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'];

type BenchPage = {
  benchInfo: () => Promise<{ backend: string; adapter: string }>;
  runSelectiveScanBench: (o: ScanBenchOptions) => Promise<ScanBenchResult>;
  runSegStepBench: (o: SegStepBenchOptions) => Promise<SegStepBenchResult>;
};

export type VmunetBenchName = 'selective-scan' | 'seg-step';

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

const round = (x: number | null | undefined, digits = 1): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

function parse(name: VmunetBenchName, argv: string[]) {
  const scan = name === 'selective-scan';
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      batch: { type: 'string', default: scan ? '16' : '4' },
      len: { type: 'string', default: '256' },
      channels: { type: 'string', default: scan ? '64' : '1' },
      states: { type: 'string', default: '16' },
      preset: { type: 'string', default: 'small' },
      size: { type: 'string', default: '64' },
      iters: { type: 'string', default: scan ? '5' : '3' },
      warmup: { type: 'string', default: '1' },
      variants: { type: 'string', default: 'vmunet,unet,vmunet-stock' },
      'profile-kernels': { type: 'boolean', default: false },
      adapters: { type: 'string' },
      json: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const int = (flag: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) fail(`--${flag} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const lavapipe = LAVAPIPE_ICD.some((p) => existsSync(p));
  const adapters = (values.adapters ?? (lavapipe ? 'swiftshader,lavapipe' : 'swiftshader')).split(',').filter(Boolean) as SoftwareAdapter[];
  for (const a of adapters) {
    if (a !== 'swiftshader' && a !== 'lavapipe') fail(`--adapters: unknown adapter ${a} (swiftshader, lavapipe)`);
    if (a === 'lavapipe' && !lavapipe) fail('--adapters lavapipe: Mesa lavapipe is not installed (Debian: apt-get install mesa-vulkan-drivers)');
  }
  const common = { iters: int('iters', values.iters, 1), warmup: int('warmup', values.warmup, 0), adapters, json: values.json, build: !values['no-build'] };
  const scanOptions = { batch: int('batch', values.batch, 1), len: int('len', values.len, 1), channels: int('channels', values.channels, 1), states: int('states', values.states, 1) };
  const preset = values.preset;
  if (preset !== 'tiny' && preset !== 'small') fail(`--preset must be tiny or small, got ${preset}`);
  const channels = int('channels', values.channels, 1);
  if (!scan && channels !== 1 && channels !== 3) fail('--channels must be 1 or 3');
  const variants = values.variants.split(',').filter(Boolean);
  for (const v of variants) if (!['vmunet', 'unet', 'vmunet-stock', 'unet-stock'].includes(v)) fail(`--variants: unknown variant ${v} (vmunet, unet, vmunet-stock, unet-stock)`);
  const segOptions = { preset: preset as 'tiny' | 'small', size: int('size', values.size, 8), channels: channels as 1 | 3, batch: int('batch', values.batch, 1), variants, profileKernels: values['profile-kernels'] };
  return { common, scanOptions, segOptions };
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`bench: page error: ${e.message}`));
  await page.goto(`${url}?backend=webgpu`);
  await page.waitForFunction(() => document.title.includes(': ready') || document.title.includes(': failed'), null, { timeout: 180_000 });
  const title = await page.title();
  if (title.includes('failed')) throw new Error(title.replace(/^SSGNet benchmarks: /, ''));
  return page;
}

/** A fresh page for one measurement, closed afterwards. */
async function inFreshPage<T>(browser: Browser, url: string, label: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const t0 = Date.now();
  console.log(`bench: ${label}…`);
  const page = await openPage(browser, url);
  try {
    const r = await fn(page);
    console.log(`bench: ${label}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return r;
  } finally {
    await page.close();
  }
}

export interface ScanJsonEntry {
  adapter: string;
  launch: string;
  batch: number;
  len: number;
  channels: number;
  states: number;
  forward_ms: number | null;
  forward_backward_ms: number | null;
  reference_forward_ms: number | null;
  reference_forward_backward_ms: number | null;
  /** reference / kernel: > 1 means the kernel is faster. */
  forward_ratio: number | null;
  forward_backward_ratio: number | null;
}

export interface SegStepJsonEntry {
  adapter: string;
  launch: string;
  preset: string;
  size: number;
  batch: number;
  vmunet_params: number | null;
  unet_params: number | null;
  vmunet_ms_per_step: number | null;
  unet_ms_per_step: number | null;
  vmunet_stock_ms_per_step: number | null;
  /** vmunet / unet: how many times longer a VM-UNet-lite step takes than a U-Net step. */
  vmunet_vs_unet: number | null;
  /** vmunet-stock / vmunet: how many times faster the scan kernel makes the VM-UNet step. */
  kernel_speedup: number | null;
  vmunet_launches_per_step: number | null;
  unet_launches_per_step: number | null;
  /** The U-Net on stock tfjs ops (variant unet-stock), and unet-stock / unet. */
  unet_stock_ms_per_step: number | null;
  unet_kernel_speedup: number | null;
}

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null => (a && b ? round(a / b, 2) : null);

async function runScan(browser: Browser, url: string, launch: string, o: ReturnType<typeof parse>): Promise<ScanJsonEntry> {
  const base = { ...o.scanOptions, iters: o.common.iters, warmup: o.common.warmup };
  const measure = (kernels: boolean): Promise<ScanBenchResult> =>
    inFreshPage(browser, url, `${launch} selective scan, ${kernels ? 'our kernel' : 'plain-tfjs reference'}`, (page) =>
      page.evaluate((opts) => (globalThis as unknown as BenchPage).runSelectiveScanBench(opts), { ...base, kernels }),
    );
  const ours = await measure(true);
  const ref = await measure(false);
  for (const r of [ours, ref]) {
    const leak = r.tensorsAfter - r.tensorsBefore;
    console.log(
      `bench:   ${r.kernels ? 'kernel   ' : 'reference'} forward ${r.forwardMs.toFixed(1)} ms (${r.forwardIterMs.map((m) => m.toFixed(0)).join(', ')}), ` +
        `forward + backward ${r.backwardMs.toFixed(1)} ms (${r.backwardIterMs.map((m) => m.toFixed(0)).join(', ')})${leak ? `; WARNING: ${leak} tensors leaked` : ''}`,
    );
  }
  return {
    adapter: ours.adapter,
    launch,
    ...o.scanOptions,
    forward_ms: round(ours.forwardMs),
    forward_backward_ms: round(ours.backwardMs),
    reference_forward_ms: round(ref.forwardMs),
    reference_forward_backward_ms: round(ref.backwardMs),
    forward_ratio: ratio(ref.forwardMs, ours.forwardMs),
    forward_backward_ratio: ratio(ref.backwardMs, ours.backwardMs),
  };
}

async function runSegStep(browser: Browser, url: string, launch: string, o: ReturnType<typeof parse>): Promise<SegStepJsonEntry> {
  const s = o.segOptions;
  const base = { preset: s.preset, size: s.size, channels: s.channels, batch: s.batch, iters: o.common.iters, warmup: o.common.warmup, profileKernels: s.profileKernels };
  const results: Record<string, SegStepBenchResult> = {};
  for (const v of s.variants) {
    const opts: SegStepBenchOptions = { ...base, model: v.startsWith('unet') ? 'unet' : 'vmunet', kernels: !v.endsWith('-stock') };
    const r = await inFreshPage(browser, url, `${launch} seg-step, ${v}`, (page) =>
      page.evaluate((x) => (globalThis as unknown as BenchPage).runSegStepBench(x), opts),
    );
    const leak = r.tensorsAfter - r.tensorsBefore;
    console.log(
      `bench:   ${v}: ${r.params.toLocaleString('en-US')} parameters, median ${r.medianMs.toFixed(0)} ms/step (${r.iterMs.map((m) => m.toFixed(0)).join(', ')}), ` +
        `${r.launchesPerIter ?? '?'} launches${leak ? `; WARNING: ${leak} tensors leaked` : ''}`,
    );
    if (r.kernelTotals.length) {
      const all = r.kernelTotals.reduce((a, k) => a + k.ms, 0);
      const calls = r.kernelTotals.reduce((a, k) => a + k.calls, 0);
      // Without GPU timestamps (lavapipe's compatibility mode has none) every time reads 0: rank by calls.
      const timed = all > 0;
      const rows = timed ? r.kernelTotals : [...r.kernelTotals].sort((a, b) => b.calls - a.calls);
      console.log(`bench:     one step by kernel: ${calls} tfjs kernels${timed ? `, ${all.toFixed(0)} ms of GPU time` : ' (no GPU timestamps on this adapter: calls only)'}`);
      for (const k of rows.slice(0, 15)) console.log(`bench:       ${timed ? `${k.ms.toFixed(1).padStart(8)} ms ` : ''}${String(k.calls).padStart(5)}x  ${k.name}`);
    }
    results[v] = r;
  }
  const [vm, un, stock, unStock] = [results['vmunet'], results['unet'], results['vmunet-stock'], results['unet-stock']];
  return {
    adapter: (vm ?? un ?? stock)?.adapter ?? '',
    launch,
    preset: s.preset,
    size: s.size,
    batch: s.batch,
    vmunet_params: (vm ?? stock)?.params ?? null,
    unet_params: un?.params ?? null,
    vmunet_ms_per_step: round(vm?.medianMs),
    unet_ms_per_step: round(un?.medianMs),
    vmunet_stock_ms_per_step: round(stock?.medianMs),
    vmunet_vs_unet: ratio(vm?.medianMs, un?.medianMs),
    kernel_speedup: ratio(stock?.medianMs, vm?.medianMs),
    vmunet_launches_per_step: vm?.launchesPerIter ?? null,
    unet_launches_per_step: un?.launchesPerIter ?? null,
    unet_stock_ms_per_step: round(unStock?.medianMs),
    unet_kernel_speedup: ratio(unStock?.medianMs, un?.medianMs),
  };
}

const cell = (v: number | null, unit = ''): string => (v === null ? 'n/a' : `${v.toLocaleString('en-US')}${unit}`);

function printScan(entries: ScanJsonEntry[], what: string): void {
  console.log(`\nselective scan, ${what}`);
  console.log('| adapter | kernel fwd | reference fwd | ratio | kernel fwd+bwd | reference fwd+bwd | ratio |');
  console.log('|---|---|---|---|---|---|---|');
  for (const e of entries) {
    console.log(
      `| ${e.launch}${e.adapter ? ` (${e.adapter})` : ''} | ${cell(e.forward_ms, ' ms')} | ${cell(e.reference_forward_ms, ' ms')} | ${cell(e.forward_ratio, 'x')} | ` +
        `${cell(e.forward_backward_ms, ' ms')} | ${cell(e.reference_forward_backward_ms, ' ms')} | ${cell(e.forward_backward_ratio, 'x')} |`,
    );
  }
}

function printSeg(entries: SegStepJsonEntry[], what: string): void {
  console.log(`\nseg-step, ${what}`);
  console.log('| adapter | VM-UNet-lite (our kernels) | U-Net | VM-UNet / U-Net | VM-UNet, stock ops | kernel speed-up |');
  console.log('|---|---|---|---|---|---|');
  for (const e of entries) {
    console.log(
      `| ${e.launch}${e.adapter ? ` (${e.adapter})` : ''} | ${cell(e.vmunet_ms_per_step, ' ms')} | ${cell(e.unet_ms_per_step, ' ms')} | ${cell(e.vmunet_vs_unet, 'x')} | ` +
        `${cell(e.vmunet_stock_ms_per_step, ' ms')} | ${cell(e.kernel_speedup, 'x')} |`,
    );
  }
}

export async function runVmunetBench(name: VmunetBenchName, argv: string[]): Promise<void> {
  const o = parse(name, argv);
  if (o.common.build) {
    console.log('bench: building the benchmark page…');
    await build({ configFile: resolve(ROOT, 'vite.bench.config.mts'), logLevel: 'error' });
  } else if (!existsSync(resolve(ROOT, process.env.SSG_BENCH_OUT_DIR ?? 'dist-bench', 'index.html'))) {
    fail('--no-build, but dist-bench/ has no build: run once without --no-build');
  }
  const server = await preview({ configFile: resolve(ROOT, 'vite.bench.config.mts'), logLevel: 'warn', preview: { port: 0, strictPort: false, open: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') fail('the preview server did not report a port');
  const url = `http://127.0.0.1:${address.port}/`;
  const date = new Date().toISOString().slice(0, 10);
  const s = o.scanOptions;
  const g = o.segOptions;
  const what =
    name === 'selective-scan'
      ? `batch ${s.batch}, L ${s.len}, Dc ${s.channels}, N ${s.states}; median of ${o.common.iters} after ${o.common.warmup} warm-up; ${date}`
      : `preset ${g.preset}, ${g.size} px, ${g.channels} channel(s), batch ${g.batch}; median of ${o.common.iters} after ${o.common.warmup} warm-up; ${date}`;
  console.log(`bench: ${name}, ${what}`);
  const entries: (ScanJsonEntry | SegStepJsonEntry)[] = [];
  try {
    for (const adapter of o.common.adapters) {
      const args = chromiumArgs(adapter);
      // GPU timestamps for tf.profile's per-kernel times.
      if (name === 'seg-step' && o.segOptions.profileKernels) args.push('--enable-dawn-features=allow_unsafe_apis');
      const browser = await chromium.launch({ executablePath: findChromium(), args, headless: true });
      try {
        entries.push(name === 'selective-scan' ? await runScan(browser, url, adapter, o) : await runSegStep(browser, url, adapter, o));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  if (name === 'selective-scan') printScan(entries as ScanJsonEntry[], what);
  else printSeg(entries as SegStepJsonEntry[], what);
  if (o.common.json) {
    mkdirSync(dirname(resolve(o.common.json)), { recursive: true });
    writeFileSync(resolve(o.common.json), `${JSON.stringify(entries, null, 2)}\n`);
    console.log(`\nbench: wrote ${resolve(o.common.json)}`);
  }
}
