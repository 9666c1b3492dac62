/**
 * Measured speeds as the UI sees them: the figures stored for this adapter, a short probe on request, and
 * the time budget the default settings are planned for. The views use it to show an estimate before any
 * long job starts (job-estimate.ts) and to pick defaults (plan-defaults.ts).
 *
 * A probe runs as the visible job (it can be cancelled like any other), and a probe for a job is asked for
 * at most once per page, so a failing or cancelled probe does not come back in a loop.
 */
import { speedJobKey, type SpeedJob, type SpeedRecord } from '../pipeline/speed-job.ts';
import type { AppState } from './app.svelte.ts';

const BUDGET_KEY = 'ssgnet.budgetMinutes';

function readBudget(): number {
  const v = Number(globalThis.localStorage?.getItem(BUDGET_KEY));
  return Number.isFinite(v) && v > 0 ? v : 15;
}

export class SpeedState {
  records = $state.raw<Record<string, SpeedRecord>>({});
  /** Minutes the user is willing to wait for one step of the workflow; defaults are planned for it. */
  budgetMinutes = $state(readBudget());
  /** Job keys probed (or tried) on this page. */
  private tried = new Set<string>();

  constructor(private readonly app: AppState) {}

  async refresh(): Promise<void> {
    const list = await this.app.engine.call('list-speeds', {});
    this.records = Object.fromEntries(list.map((r) => [r.key, r]));
  }

  setBudget(minutes: number): void {
    if (!(minutes > 0)) return;
    this.budgetMinutes = minutes;
    globalThis.localStorage?.setItem(BUDGET_KEY, String(minutes));
  }

  of(job: SpeedJob): SpeedRecord | null {
    return this.records[speedJobKey(job)] ?? null;
  }

  /** True while any job (a probe included) holds the engine. */
  get busy(): boolean {
    return this.app.job !== null;
  }

  msPerImage = (job: SpeedJob): number | null => this.of(job)?.msPerImage ?? null;

  /** Whether a probe for this job may start on its own now (idle engine, owning tab, not tried yet). */
  canAutoProbe(job: SpeedJob): boolean {
    return this.app.ready && !this.app.engineFailed && this.app.job === null && this.app.tabRole === 'primary' && !this.tried.has(speedJobKey(job)) && !this.of(job);
  }

  /** Times a few real training steps of the job; the figure is stored for this adapter. */
  async measure(job: SpeedJob): Promise<SpeedRecord | null> {
    this.tried.add(speedJobKey(job));
    // A probe is a side job: it leaves the message of the user's last real job on screen.
    const outcome = await this.app.runJob('Measuring speed', (onProgress) => this.app.engine.start('measure-speed', { job }, onProgress), { keepNotice: true });
    if (!outcome.ok) return null;
    this.records = { ...this.records, [outcome.value.key]: outcome.value };
    return outcome.value;
  }
}
