/**
 * Speed figures from real training runs: a generator run's own average (seconds of training steps over
 * images shown), which replaces a probe's figure for the same job on this adapter.
 */
import type { GeneratorRunMeta } from './generator-runs.ts';
import { speedJobKey, type SpeedJob, type SpeedRecord } from './speed-job.ts';

/** Fewer steps than this give a figure dominated by the first steps' shader compilation. */
const MIN_STEPS = 8;

/** One figure per run that trained in this job (`trained`: the run ids that reported steps). */
export function ganRunSpeeds(runs: readonly GeneratorRunMeta[], trained: ReadonlySet<string> | ReadonlyMap<string, unknown>): SpeedRecord[] {
  const out: SpeedRecord[] = [];
  for (const r of runs) {
    if (!trained.has(r.id) || r.step < MIN_STEPS || !(r.seconds > 0) || !(r.imagesSeen > 0)) continue;
    const job: SpeedJob = { kind: 'gan', preset: r.preset, resolution: r.resolution, channels: r.channels, batchSize: r.batchSize };
    out.push({
      key: speedJobKey(job),
      job,
      msPerImage: (r.seconds * 1000) / r.imagesSeen,
      source: 'run',
      basis: `${r.step} training steps of run "${r.className}" (${(r.imagesSeen / 1000).toFixed(2)} kimg)`,
      measuredAt: r.updatedAt,
    });
  }
  return out;
}
