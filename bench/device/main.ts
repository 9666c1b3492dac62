/**
 * The device harness: the app's own training code on tfjs-webgpu over Dawn in Node, for timings and long
 * runs on a machine with a real GPU but no browser (the lent device machine has no Chromium, and one would
 * not fit the 64 MiB it can be sent). Same models, kernels, autotune, trainers and quality measures as the
 * app's worker; storage is an in-memory stand-in for IndexedDB (memory-kv.ts), so nothing persists.
 *
 *   node .device/dist/main.mjs --dawn PATH/dawn.node --backend vulkan|opengles --out DIR
 *        [--tasks info,kernels,gan-step,seg-step,generators] [--data breastmnist.npz] [--preset balanced]
 *        [--deadline SECONDS] [--iters N] [--only TEXT] [--gan-presets fast,balanced]
 *        segment: --project FILE.ssgnet.zip [--model unet|vmunet] [--seg-preset tiny|compact|small|standard] [--loss …]
 *        [--seg-epochs N] [--seg-batch N] [--seg-lr X] [--rounds T] [--synthetic N] [--gen-preset P] [--gen-kimg K]
 *
 * Built by `npm run device:build` (vite.device.config.mts); bench/device/pack.sh gathers what the device
 * needs into .device/, and bench/device/on-device.sh is the command run there.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { installDawn } from './dawn.ts';
import type { GanPresetName } from '../../src/models/generator-config.ts';
import type { UNetPresetName } from '../../src/models/unet-config.ts';
import type { SegLossName } from '../../src/train/adaptive-kappa.ts';

const { values } = parseArgs({
  options: {
    dawn: { type: 'string' },
    backend: { type: 'string', default: 'vulkan' },
    out: { type: 'string', default: 'out/device' },
    tasks: { type: 'string', default: 'info,kernels,gan-step,seg-step' },
    data: { type: 'string' },
    preset: { type: 'string', default: 'balanced' },
    deadline: { type: 'string', default: '300' },
    iters: { type: 'string', default: '5' },
    only: { type: 'string', default: '' },
    'gan-presets': { type: 'string', default: 'fast,balanced' },
    project: { type: 'string' },
    model: { type: 'string', default: 'unet' },
    'seg-preset': { type: 'string', default: 'small' },
    loss: { type: 'string' },
    'seg-epochs': { type: 'string', default: '30' },
    'seg-batch': { type: 'string', default: '8' },
    'seg-lr': { type: 'string' },
    rounds: { type: 'string', default: '2' },
    synthetic: { type: 'string' },
    'gen-preset': { type: 'string', default: 'fast' },
    'gen-kimg': { type: 'string', default: '2' },
  },
});
if (!values.dawn) throw new Error('--dawn PATH/dawn.node is required');
if (values.backend !== 'vulkan' && values.backend !== 'opengles') throw new Error('--backend is vulkan or opengles');
installDawn({ addon: values.dawn, backend: values.backend });
mkdirSync(values.out, { recursive: true });

// Imported only now: tfjs-backend-webgpu looks for navigator.gpu when it loads.
const { runTasks } = await import('./tasks.ts');
const report = await runTasks({
  out: values.out,
  tasks: values.tasks.split(',').filter(Boolean),
  data: values.data ?? null,
  preset: values.preset as GanPresetName,
  deadline: Number(values.deadline),
  iters: Number(values.iters),
  only: values.only,
  ganPresets: values['gan-presets'].split(',').filter(Boolean) as GanPresetName[],
  segBatch: Number(values['seg-batch']),
  segment: values.project
    ? {
        project: values.project,
        model: values.model === 'vmunet' ? 'vmunet' : 'unet',
        preset: values['seg-preset'] as UNetPresetName,
        // Each segmenter's authors' defaults, as the runner's: U-Net with Adaptive t-vMF and SGD 0.01; VM-UNet with BCE + Dice and AdamW 1e-3.
        loss: (values.loss ?? (values.model === 'vmunet' ? 'bcedice' : 'atvmf')) as SegLossName,
        epochs: Number(values['seg-epochs']),
        batch: Number(values['seg-batch']),
        lr: Number(values['seg-lr'] ?? (values.model === 'vmunet' ? 0.001 : 0.01)),
        rounds: Number(values.rounds),
        synthetic: values.synthetic === undefined ? null : Number(values.synthetic),
        genPreset: values['gen-preset'] as GanPresetName,
        genKimg: Number(values['gen-kimg']),
      }
    : null,
});
console.log(`done in ${Object.values(report.seconds).reduce((s, x) => s + x, 0).toFixed(0)} s: ${JSON.stringify(report.seconds)}`);
process.exit(0);
