/**
 * The runner's flags. They are a contract other people script against: add flags, never rename them.
 *   --task <import | generate | classify | segment> what to run
 *   --data <phantom | file.npz | folder | file.zip>
 *   --size N                             working resolution (default: the source's own, 64 for folders and phantoms)
 *   --backend auto|webgpu|webgl|cpu      (default auto)
 *   --seed N                             seeds the phantom and any seeded split (default 42)
 *   --count N                            phantom images (default 300)
 *   --out DIR                            where report.json goes (default out/<task>)
 *   --no-build                           reuse an existing dist/ instead of building first
 *   --no-estimate                        skip the speed probes and the estimate printed before training
 *   --estimate-only                      print the estimate of every stage (from the probes), then stop
 *   --export-project FILE                after the task, write everything the run stored (dataset, generator runs,
 *                                        experiments) as the app's project file (.ssgnet.zip), which the app's
 *                                        "Import project" and bench/device's --project read
 *   --preset tiny|fast|balanced|quality  generator size (generate; default fast)
 *   --kimg K                             thousands of real images per class generator (generate; default 1)
 *   --batch N                            generator batch size (generate, classify; default 16)
 *   --seeds K                            classify: seeds 0..K-1, one run per seed and arm (default 3)
 *   --extra F[,F2...]                    classify: synthetic fraction(s) of the ssgnet arm(s) (default 0.5; "none": baseline only)
 *   --classifier tiny|small|resnet18|resnet34|resnet50   classify: architecture (default small)
 *   --epochs N                           classify: most epochs per run (default by training-set size, as the app
 *                                        plans it: 40 below 1,000 images, 30 below 5,000, else 15)
 *   --cls-batch N                        classify: classifier batch size (default 32)
 *   --lr X                               classify: Adam learning rate (default 0.001)
 *   --patience N                         classify: early-stopping patience in epochs, 0 = off (default 8)
 *   --psi X                              classify, segment: truncation of the synthetic samples (default 1)
 *   --test <folder | file.zip>           segment: score every round on this external image + mask set instead of the data's test split
 *   --rounds T                           segment: pseudo-label rounds after the real-only round 0 (default 2, as the paper)
 *   --loss atvmf|tvmf|bcedice            segment: the segmenter's loss (default atvmf)
 *   --model unet|vmunet                  segment: the segmenter (default unet; vmunet = VM-UNet-lite, AdamW + cosine,
 *                                        default loss bcedice and --seg-lr 0.001 as VM-UNet's authors)
 *   --seg-preset tiny|compact|small|standard   segment: U-Net size (default small; VM-UNet-lite has tiny and small,
 *                                        and takes any other as small)
 *   --seg-epochs N                       segment: epochs per round (default 30)
 *   --seg-batch N                        segment: U-Net batch size (default 8)
 *   --seg-lr X                           segment: SGD learning rate, poly schedule (default 0.01)
 *   --synthetic N                        segment: synthetic images to pseudo-label (default: as many as the real training images)
 *   --threshold X                        segment: pseudo-masks with confidence >= X are used (default 0: all, as the paper)
 *   --weighting uniform|confidence       segment: loss weight of a pseudo-labelled image (default uniform)
 */
import { parseArgs } from 'node:util';
import { classifyEpochsFor } from '../pipeline/plan-defaults.ts';
import type { BackendChoice } from '../worker/protocol.ts';

export const TASKS = ['import', 'generate', 'classify', 'segment'] as const;
export const PRESETS = ['tiny', 'fast', 'balanced', 'quality'] as const;
export const CLASSIFIERS = ['tiny', 'small', 'resnet18', 'resnet34', 'resnet50'] as const;
export const SEG_LOSS_FLAGS = ['atvmf', 'tvmf', 'bcedice'] as const;
/** Segmenters --model accepts. */
export const SEG_MODEL_FLAGS = ['unet', 'vmunet'] as const;
export const SEG_PRESETS = ['tiny', 'compact', 'small', 'standard'] as const;
export type Task = (typeof TASKS)[number];

export interface RunnerArgs {
  task: Task;
  data: string;
  size: number;
  backend: BackendChoice;
  seed: number;
  count: number;
  out: string;
  build: boolean;
  /** Time a few steps of each stage and print the estimate before training (default on). */
  estimate: boolean;
  /** Print the estimates and stop without training. */
  estimateOnly: boolean;
  /** Write the app's project file here after the task (null: none). */
  exportProject: string | null;
  preset: (typeof PRESETS)[number];
  kimg: number;
  batch: number;
  seeds: number;
  extra: number[];
  classifier: (typeof CLASSIFIERS)[number];
  /** null: chosen from the training-set size once the data is in (withDataDefaults). */
  epochs: number | null;
  clsBatch: number;
  lr: number;
  patience: number;
  psi: number;
  test: string | null;
  rounds: number;
  loss: (typeof SEG_LOSS_FLAGS)[number];
  model: (typeof SEG_MODEL_FLAGS)[number];
  segPreset: (typeof SEG_PRESETS)[number];
  segEpochs: number;
  segBatch: number;
  segLr: number;
  synthetic: number | null;
  threshold: number;
  weighting: 'uniform' | 'confidence';
}

export class UsageError extends Error {}

function int(name: string, v: string | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${v}").`);
  return n;
}

export function parseRunnerArgs(argv: string[]): RunnerArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        task: { type: 'string' },
        data: { type: 'string' },
        size: { type: 'string' },
        backend: { type: 'string' },
        seed: { type: 'string' },
        count: { type: 'string' },
        out: { type: 'string' },
        'export-project': { type: 'string' },
        'no-build': { type: 'boolean' },
        'no-estimate': { type: 'boolean' },
        'estimate-only': { type: 'boolean' },
        preset: { type: 'string' },
        kimg: { type: 'string' },
        batch: { type: 'string' },
        seeds: { type: 'string' },
        extra: { type: 'string' },
        classifier: { type: 'string' },
        epochs: { type: 'string' },
        'cls-batch': { type: 'string' },
        lr: { type: 'string' },
        patience: { type: 'string' },
        psi: { type: 'string' },
        test: { type: 'string' },
        rounds: { type: 'string' },
        loss: { type: 'string' },
        model: { type: 'string' },
        'seg-preset': { type: 'string' },
        'seg-epochs': { type: 'string' },
        'seg-batch': { type: 'string' },
        'seg-lr': { type: 'string' },
        synthetic: { type: 'string' },
        threshold: { type: 'string' },
        weighting: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const task = values.task;
  if (!task || !(TASKS as readonly string[]).includes(task)) throw new UsageError(`--task must be one of: ${TASKS.join(', ')} (got "${task ?? ''}").`);
  if (!values.data) throw new UsageError('--data is required: "phantom", a MedMNIST .npz, a folder, or a .zip.');
  const backend = values.backend ?? 'auto';
  if (!['auto', 'webgpu', 'webgl', 'cpu'].includes(backend)) throw new UsageError(`--backend must be auto, webgpu, webgl or cpu (got "${backend}").`);
  const preset = values.preset ?? 'fast';
  if (!(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`--preset must be one of: ${PRESETS.join(', ')} (got "${preset}").`);
  const kimg = values.kimg === undefined ? 1 : Number(values.kimg);
  if (!(kimg > 0 && kimg <= 100000)) throw new UsageError(`--kimg must be a positive number (got "${values.kimg}").`);
  const classifier = values.classifier ?? 'small';
  if (!(CLASSIFIERS as readonly string[]).includes(classifier)) throw new UsageError(`--classifier must be one of: ${CLASSIFIERS.join(', ')} (got "${classifier}").`);
  const extraText = values.extra ?? '0.5';
  const extra = extraText === 'none' || extraText.trim() === '' ? [] : extraText.split(',').map((x) => Number(x.trim()));
  if (extra.some((x) => !Number.isFinite(x) || x < 0 || x > 10)) throw new UsageError(`--extra must be one or more fractions from 0 to 10, comma-separated, or "none" (got "${extraText}").`);
  const lr = values.lr === undefined ? 1e-3 : Number(values.lr);
  if (!(lr > 0 && lr < 1)) throw new UsageError(`--lr must be a number between 0 and 1 (got "${values.lr}").`);
  const psi = values.psi === undefined ? 1 : Number(values.psi);
  if (!(psi > 0 && psi <= 1)) throw new UsageError(`--psi must be in (0, 1] (got "${values.psi}").`);
  const model = values.model ?? 'unet';
  if (!(SEG_MODEL_FLAGS as readonly string[]).includes(model)) throw new UsageError(`--model must be one of: ${SEG_MODEL_FLAGS.join(', ')} (got "${model}").`);
  // Each segmenter's authors' defaults: U-Net with the Adaptive t-vMF Dice loss and SGD 0.01; VM-UNet with BCE + Dice and AdamW 1e-3.
  const loss = values.loss ?? (model === 'vmunet' ? 'bcedice' : 'atvmf');
  if (!(SEG_LOSS_FLAGS as readonly string[]).includes(loss)) throw new UsageError(`--loss must be one of: ${SEG_LOSS_FLAGS.join(', ')} (got "${loss}").`);
  const segPreset = values['seg-preset'] ?? 'small';
  if (!(SEG_PRESETS as readonly string[]).includes(segPreset)) throw new UsageError(`--seg-preset must be one of: ${SEG_PRESETS.join(', ')} (got "${segPreset}").`);
  const segLr = values['seg-lr'] === undefined ? (model === 'vmunet' ? 0.001 : 0.01) : Number(values['seg-lr']);
  if (!(segLr > 0 && segLr < 1)) throw new UsageError(`--seg-lr must be a number between 0 and 1 (got "${values['seg-lr']}").`);
  const threshold = values.threshold === undefined ? 0 : Number(values.threshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be from 0 to 1 (got "${values.threshold}").`);
  const weighting = values.weighting ?? 'uniform';
  if (weighting !== 'uniform' && weighting !== 'confidence') throw new UsageError(`--weighting must be uniform or confidence (got "${weighting}").`);
  if (values.test !== undefined && task !== 'segment') throw new UsageError('--test is for --task segment.');
  if (values['estimate-only'] && values['no-estimate']) throw new UsageError('--estimate-only and --no-estimate contradict each other.');
  if (values['estimate-only'] && task === 'import') throw new UsageError('--estimate-only needs a task that trains (generate, classify or segment).');
  return {
    task: task as Task,
    data: values.data,
    size: int('size', values.size, 0, 16, 512),
    backend: backend as BackendChoice,
    seed: int('seed', values.seed, 42, 0, 2 ** 31 - 1),
    count: int('count', values.count, 300, 10, 20000),
    out: values.out ?? `out/${task}`,
    build: !values['no-build'],
    estimate: !values['no-estimate'],
    estimateOnly: values['estimate-only'] === true,
    exportProject: values['export-project'] ?? null,
    preset: preset as (typeof PRESETS)[number],
    kimg,
    batch: int('batch', values.batch, 16, 2, 256),
    seeds: int('seeds', values.seeds, 3, 1, 20),
    extra,
    classifier: classifier as (typeof CLASSIFIERS)[number],
    epochs: values.epochs === undefined ? null : int('epochs', values.epochs, 0, 1, 1000),
    clsBatch: int('cls-batch', values['cls-batch'], 32, 2, 1024),
    lr,
    patience: int('patience', values.patience, 8, 0, 1000),
    psi,
    test: values.test ?? null,
    rounds: int('rounds', values.rounds, 2, 0, 10),
    loss: loss as (typeof SEG_LOSS_FLAGS)[number],
    model: model as (typeof SEG_MODEL_FLAGS)[number],
    segPreset: segPreset as (typeof SEG_PRESETS)[number],
    segEpochs: int('seg-epochs', values['seg-epochs'], 30, 1, 1000),
    segBatch: int('seg-batch', values['seg-batch'], 8, 2, 256),
    segLr,
    synthetic: values.synthetic === undefined ? null : int('synthetic', values.synthetic, 0, 0, 20000),
    threshold,
    weighting,
  };
}

/** The flags once the data is known: every default that depends on the data filled in. */
export type ResolvedArgs = RunnerArgs & { epochs: number };

export function withDataDefaults(args: RunnerArgs, trainImages: number): ResolvedArgs {
  return { ...args, epochs: args.epochs ?? classifyEpochsFor(trainImages) };
}

export const USAGE = `usage: npm run recipe -- --task import|generate|classify|segment --data <phantom | file.npz | folder | file.zip> [--size N] [--backend auto|webgpu|webgl|cpu] [--seed N] [--count N] [--out DIR] [--no-build] [--no-estimate | --estimate-only] [--export-project FILE] [--preset tiny|fast|balanced|quality] [--kimg K] [--batch N]
  classify: [--seeds K] [--extra F[,F2] | none] [--classifier tiny|small|resnet18|resnet34|resnet50] [--epochs N] [--cls-batch N] [--lr X] [--patience N] [--psi X]
  segment: [--test <folder | file.zip>] [--rounds T] [--loss atvmf|tvmf|bcedice] [--model unet|vmunet] [--seg-preset tiny|compact|small|standard] [--seg-epochs N] [--seg-batch N] [--seg-lr X] [--synthetic N] [--threshold X] [--weighting uniform|confidence] [--psi X]`;
