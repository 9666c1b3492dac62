/**
 * What the device harness runs, each task the app's own code on tfjs-webgpu over Dawn:
 *   info        the backend choice exactly as the app's worker makes it (adapter, autotune, self-test);
 *   kernels     every GPU kernel comparison case of `npm run test:gpu` (tests/gpu/run-cases.ts);
 *   gan-step    one G+D iteration, our kernels vs stock tfjs ops, `fast` and `balanced` (bench/gan-step);
 *   seg-step    one U-Net training step, ours vs stock, and one VM-UNet-lite step (bench/vmunet);
 *   generators  the app's trainGenerators on a MedMNIST .npz, one run per class, sized to a time budget,
 *               with FD/KID measured along the way; writes real | generated sample grids as PNG;
 *   segment     the pseudo-label rounds on a segmentation dataset from an app project file (segment-task.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { benchGanStep } from '../gan-step/measure.ts';
import type { GanStepBenchResult } from '../gan-step/types.ts';
import { benchSegStep } from '../vmunet/measure.ts';
import type { SegStepBenchResult } from '../vmunet/types.ts';
import { runGpuCases } from '../../tests/gpu/run-cases.ts';
import { chooseBackend } from '../../src/gpu/backend.ts';
import { openStore } from '../../src/data/store.ts';
import { importFiles } from '../../src/data/import/run-import.ts';
import { datasetArrays } from '../../src/data/read-dataset.ts';
import { classTrainIndices, imagesTensor } from '../../src/pipeline/class-images.ts';
import { sampleRun } from '../../src/pipeline/run-sampler.ts';
import { trainGenerators, type TrainTick } from '../../src/pipeline/train-generators.ts';
import { tile } from '../../src/data/png-encode.ts';
import type { GanPresetName } from '../../src/models/generator-config.ts';
import type { GeneratorRunMeta } from '../../src/pipeline/generator-runs.ts';
import type { BackendReport } from '../../src/worker/protocol.ts';
import { pngBytes } from './png.ts';
import { segmentTask, type SegmentTaskArgs } from './segment-task.ts';

export interface DeviceArgs {
  out: string;
  tasks: string[];
  /** A MedMNIST .npz for `generators`. */
  data: string | null;
  preset: GanPresetName;
  /** Seconds from the harness's start by which every task must be done (generators share what is left). */
  deadline: number;
  /** Timed iterations per benchmark variant. */
  iters: number;
  /** Only kernel cases whose name contains this ('' = all). */
  only: string;
  /** Presets `gan-step` times (fast, balanced). */
  ganPresets: GanPresetName[];
  /** Batch of the seg-step benchmark (--seg-batch; default 8, the U-Net's). */
  segBatch: number;
  /** `segment`'s settings (null when not asked for). */
  segment: Omit<SegmentTaskArgs, 'out'> | null;
}

export interface DeviceReport {
  started: string;
  adapter: string;
  backend: BackendReport | null;
  kernels: { total: number; failed: string[]; worst: Record<string, number>; details: Record<string, string> } | null;
  ganStep: GanStepBenchResult[];
  segStep: SegStepBenchResult[];
  generators: GeneratorSummary[];
  /** The runner's segmentation keys (report.json contract) when `segment` ran. */
  segment: Record<string, unknown> | null;
  seconds: Record<string, number>;
}

export interface GeneratorSummary {
  class: string;
  preset: string;
  images_seen: number;
  steps: number;
  seconds: number;
  kimg_target: number;
  quality: GeneratorRunMeta['quality'];
  /** Every 10th point of the loss / augment curve. */
  curve: GeneratorRunMeta['curve'];
  status: string;
  message: string;
}

const T0 = performance.now();
const elapsed = (): number => (performance.now() - T0) / 1000;
const log = (s: string): void => console.log(`[${elapsed().toFixed(1).padStart(6)} s] ${s}`);

function adapterWords(r: BackendReport): string {
  const a = r.adapter;
  if (!a) return r.name;
  return [a.vendor, a.architecture, a.device, a.description].filter((s) => s && s !== 'unknown').join(' ') + (a.compatibilityMode ? ' (compatibility mode)' : '');
}

export async function runTasks(args: DeviceArgs): Promise<DeviceReport> {
  const report: DeviceReport = { started: new Date().toISOString(), adapter: '', backend: null, kernels: null, ganStep: [], segStep: [], generators: [], segment: null, seconds: {} };
  const save = (): void => writeFileSync(join(args.out, 'device-report.json'), JSON.stringify(report, null, 1));
  const timed = async (name: string, fn: () => Promise<void>): Promise<void> => {
    const t = elapsed();
    try {
      await fn();
    } catch (err) {
      log(`${name} FAILED: ${(err as Error).stack ?? err}`);
    }
    report.seconds[name] = Math.round((elapsed() - t) * 10) / 10;
    save();
  };

  await openStore();
  await timed('info', async () => {
    report.backend = await chooseBackend('webgpu');
    report.adapter = adapterWords(report.backend);
    tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
    log(`backend ${report.backend.name} on ${report.adapter}; self-test ${JSON.stringify(report.backend.selfTest)}`);
    log(`limits ${JSON.stringify(report.backend.adapter?.limits)}; tuning ${JSON.stringify(report.backend.tuning?.tuning ?? null)}`);
  });
  if (report.backend?.name !== 'webgpu') throw new Error(`WebGPU did not start (${report.backend?.fallbackReason ?? 'no report'})`);

  if (args.tasks.includes('kernels')) await timed('kernels', () => kernelsTask(args, report));
  if (args.tasks.includes('gan-step')) await timed('gan-step', () => ganStepTask(args, report));
  if (args.tasks.includes('seg-step')) await timed('seg-step', () => segStepTask(args, report));
  if (args.tasks.includes('generators')) await timed('generators', () => generatorsTask(args, report));
  if (args.tasks.includes('segment')) {
    await timed('segment', async () => {
      if (!args.segment) throw new Error('segment needs --project FILE');
      report.segment = await segmentTask({ ...args.segment, out: args.out }, log);
    });
  }
  save();
  return report;
}

async function kernelsTask(args: DeviceArgs, report: DeviceReport): Promise<void> {
  const results = await runGpuCases(args.only);
  const failed = results.filter((r) => !r.passed);
  const worst: Record<string, number> = {};
  for (const r of results) {
    const e = Math.max(0, ...Object.values(r.errors).filter(Number.isFinite));
    worst[r.name] = e;
    if (!r.passed) log(`FAIL ${r.name}: ${r.detail} ${JSON.stringify(r.errors)}`);
  }
  report.kernels = { total: results.length, failed: failed.map((r) => r.name), worst, details: Object.fromEntries(results.map((r) => [r.name, r.detail])) };
  const maxErr = Math.max(...Object.values(worst));
  log(`kernel cases: ${results.length - failed.length} of ${results.length} passed; worst relative error ${maxErr.toExponential(2)}`);
}

async function ganStepTask(args: DeviceArgs, report: DeviceReport): Promise<void> {
  for (const preset of args.ganPresets) {
    const pair: GanStepBenchResult[] = [];
    for (const kernels of [true, false]) {
      const r = await benchGanStep({ backend: 'webgpu', kernels, preset, resolution: 32, channels: 1, batch: 16, iters: args.iters, warmup: 2, r1: true, profileKernels: false }, report.adapter, false);
      report.ganStep.push(r);
      pair.push(r);
      log(`gan-step ${preset} ${kernels ? 'ours ' : 'stock'}: median ${r.medianMs.toFixed(1)} ms (${r.iterMs.map((m) => m.toFixed(0)).join(', ')}), R1 iter ${r.r1Ms?.toFixed(1)} ms, ${r.launchesPerIter} launches, ${(r.flopsPerIter / 1e9).toFixed(1)} GFLOP, ${(r.flopsPerIter / r.medianMs / 1e6).toFixed(0)} GFLOP/s, tensors ${r.tensorsBefore}->${r.tensorsAfter}`);
    }
    log(`gan-step ${preset}: ours is ${(pair[1]!.medianMs / pair[0]!.medianMs).toFixed(2)}x stock ops on the same adapter`);
  }
}

async function segStepTask(args: DeviceArgs, report: DeviceReport): Promise<void> {
  const variants = [
    { model: 'unet', kernels: true },
    { model: 'unet', kernels: false },
    { model: 'vmunet', kernels: true },
    { model: 'vmunet', kernels: false },
  ] as const;
  for (const v of variants) {
    const b = args.segBatch;
    const r = await benchSegStep({ ...v, preset: 'small', size: 64, channels: 3, batch: b, iters: args.iters, warmup: 2, profileKernels: false }, report.adapter);
    report.segStep.push(r);
    log(`seg-step ${v.model} small 64px b${b} ${v.kernels ? 'ours ' : 'stock'}: median ${r.medianMs.toFixed(1)} ms (${(r.medianMs / b).toFixed(2)} ms per image), ${r.launchesPerIter} launches, ${r.params} params, tensors ${r.tensorsBefore}->${r.tensorsAfter}`);
  }
}

/** Per-class kimg that fits the time left, from a measured `balanced` iteration (or a guess of 1 s). */
function kimgFor(report: DeviceReport, args: DeviceArgs, classes: number): number {
  const probe = report.ganStep.find((r) => r.kernels && r.preset === args.preset);
  const iterMs = probe?.medianMs ?? 1000;
  const r1 = probe?.r1Ms ?? iterMs * 2;
  const msPerImage = (15 * iterMs + r1) / 16 / 16; // one R1 iteration in 16, batch 16
  // A fifth of the time goes to FD/KID measurements, sample grids and checkpoints.
  const seconds = Math.max(10, (args.deadline - elapsed() - 25) / classes) * 0.8;
  return Math.max(0.064, Math.floor((seconds * 1000) / msPerImage / 16) * 16 / 1000);
}

async function generatorsTask(args: DeviceArgs, report: DeviceReport): Promise<void> {
  if (!args.data) throw new Error('generators needs --data FILE.npz');
  const bytes = readFileSync(args.data);
  const controller = new AbortController();
  const imported = await importFiles([{ path: basename(args.data), file: new Blob([bytes]) }], {}, controller.signal, () => {});
  const id = imported.dataset.id;
  const a = await datasetArrays(id);
  log(`imported ${a.meta.name}: ${a.meta.classes.join(', ')}, ${a.meta.size} px`);
  if (!report.ganStep.some((r) => r.kernels && r.preset === args.preset)) {
    // No timing of this preset in this process yet: one short probe sizes the runs to the deadline.
    const r = await benchGanStep({ backend: 'webgpu', kernels: true, preset: args.preset, resolution: 32, channels: 1, batch: 16, iters: 3, warmup: 2, r1: true, profileKernels: false }, report.adapter, false);
    report.ganStep.push(r);
    log(`probe ${args.preset}: median ${r.medianMs.toFixed(1)} ms per iteration, R1 iteration ${r.r1Ms?.toFixed(1)} ms`);
  }
  for (let c = 0; c < a.meta.classes.length; c++) {
    const kimg = kimgFor(report, args, a.meta.classes.length - c);
    log(`class ${a.meta.classes[c]}: ${args.preset} for ${kimg} kimg`);
    let last = 0;
    const [run] = await trainGenerators(
      { datasetId: id, preset: args.preset, kimg, classes: [c], checkpointSeconds: 120, sampleSeconds: 1e9, qualityEveryKimg: Math.max(0.5, kimg / 5) },
      controller.signal,
      (t: TrainTick) => {
        if (t.quality) log(`  ${t.className} ${(t.imagesSeen / 1000).toFixed(2)} kimg: KID x1e3 ${(t.quality.kid * 1e3).toFixed(2)} ± ${(t.quality.kidStd * 1e3).toFixed(2)}, FD ${t.quality.fd.toFixed(2)}, near copies ${(t.quality.nearCopyRate * 100).toFixed(1)} %`);
        if (performance.now() - last > 30_000 && t.point) {
          last = performance.now();
          log(`  ${t.className} step ${t.step}, ${(t.imagesSeen / 1000).toFixed(2)} kimg, ${t.stepsPerSecond.toFixed(2)} steps/s, G ${t.point.lossG.toFixed(3)} D ${t.point.lossD.toFixed(3)} p ${t.point.augmentP.toFixed(3)}`);
        }
      },
    );
    if (!run) throw new Error('no run came back');
    report.generators.push({
      class: run.className, preset: run.preset, images_seen: run.imagesSeen, steps: run.step, seconds: Math.round(run.seconds), kimg_target: run.kimgTarget,
      quality: run.quality, curve: run.curve.filter((_, i) => i % 10 === 0), status: run.status, message: run.message,
    });
    writeFileSync(join(args.out, `grid-${run.className.replace(/[^a-z0-9_-]+/gi, '_')}.png`), await realVsGenerated(a, c, run.id));
    log(`class ${run.className}: ${run.status}, ${run.imagesSeen} images in ${run.seconds.toFixed(0)} s of training`);
  }
}

/** One PNG: 32 real training images of the class (left) beside 32 generated ones from fixed seeds (right). */
async function realVsGenerated(a: Awaited<ReturnType<typeof datasetArrays>>, c: number, runId: string): Promise<Buffer> {
  const fake = await sampleRun(runId, 0, 32, 1);
  const size = fake.size;
  const ch = fake.channels;
  // The real images as the generator was shown them (resized to its resolution).
  const x = imagesTensor(a, classTrainIndices(a, c).slice(0, 32), size);
  const u8 = tf.tidy(() => tf.clipByValue(tf.round(x.add(1).mul(127.5)), 0, 255).toInt());
  const real = Uint8Array.from(await u8.data());
  x.dispose();
  u8.dispose();
  const left = tile(real, x.shape[0], size, ch, 4);
  const right = tile(fake.pixels, 32, size, ch, 4);
  // Side by side with an 8 px light gap.
  const gap = 8;
  const width = left.width + gap + right.width;
  const out = new Uint8Array(width * left.height * ch).fill(200);
  for (let y = 0; y < left.height; y++) {
    out.set(left.pixels.subarray(y * left.width * ch, (y + 1) * left.width * ch), y * width * ch);
    out.set(right.pixels.subarray(y * right.width * ch, (y + 1) * right.width * ch), (y * width + left.width + gap) * ch);
  }
  return pngBytes(...upscale(out, width, left.height, ch, 3), ch);
}

/** Nearest-neighbour enlargement by an integer factor, so 32 px samples can be judged by eye. */
function upscale(px: Uint8Array, width: number, height: number, ch: number, f: number): [Uint8Array, number, number] {
  const out = new Uint8Array(width * f * height * f * ch);
  for (let y = 0; y < height * f; y++) {
    for (let x = 0; x < width * f; x++) {
      const src = (Math.floor(y / f) * width + Math.floor(x / f)) * ch;
      out.set(px.subarray(src, src + ch), (y * width * f + x) * ch);
    }
  }
  return [out, width * f, height * f];
}
