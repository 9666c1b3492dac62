/**
 * The runner's flags. They are a contract other people script against: add flags, never rename them.
 *   --task <import | generate>           what to run (later issues add classify, segment)
 *   --data <phantom | file.npz | folder | file.zip>
 *   --size N                             working resolution (default: the source's own, 64 for folders and phantoms)
 *   --backend auto|webgpu|webgl|cpu      (default auto)
 *   --seed N                             seeds the phantom and any seeded split (default 42)
 *   --count N                            phantom images (default 300)
 *   --out DIR                            where report.json goes (default out/<task>)
 *   --no-build                           reuse an existing dist/ instead of building first
 *   --preset tiny|fast|balanced|quality  generator size (generate; default fast)
 *   --kimg K                             thousands of real images per class generator (generate; default 1)
 *   --batch N                            generator batch size (generate; default 16)
 */
import { parseArgs } from 'node:util';
import type { BackendChoice } from '../worker/protocol.ts';

export const TASKS = ['import', 'generate'] as const;
export const PRESETS = ['tiny', 'fast', 'balanced', 'quality'] as const;
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
  preset: (typeof PRESETS)[number];
  kimg: number;
  batch: number;
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
        'no-build': { type: 'boolean' },
        preset: { type: 'string' },
        kimg: { type: 'string' },
        batch: { type: 'string' },
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
  return {
    task: task as Task,
    data: values.data,
    size: int('size', values.size, 0, 16, 512),
    backend: backend as BackendChoice,
    seed: int('seed', values.seed, 42, 0, 2 ** 31 - 1),
    count: int('count', values.count, 300, 10, 20000),
    out: values.out ?? `out/${task}`,
    build: !values['no-build'],
    preset: preset as (typeof PRESETS)[number],
    kimg,
    batch: int('batch', values.batch, 16, 2, 256),
  };
}

export const USAGE = `usage: npm run recipe -- --task import|generate --data <phantom | file.npz | folder | file.zip> [--size N] [--backend auto|webgpu|webgl|cpu] [--seed N] [--count N] [--out DIR] [--no-build] [--preset tiny|fast|balanced|quality] [--kimg K] [--batch N]`;
