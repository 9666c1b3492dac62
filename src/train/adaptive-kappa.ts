/**
 * The kappa of the t-vMF Dice loss, per class, over a training run (Kato & Hotta's train.py):
 *
 * - 'atvmf' (Adaptive t-vMF): kappa starts at 0 for every class (a plain cosine / Dice-like loss) and after
 *   each epoch becomes kappa_c = lambda * DSC_c(validation), lambda = 32, where DSC_c is the pooled Dice of
 *   class c over the validation split (their dsc.py: argmax, one confusion matrix over every pixel, 0 when
 *   a class is absent from both truth and prediction). Easy classes (high DSC) get a sharper similarity.
 * - 'tvmf': a fixed kappa (32) for every class, all run long.
 * - 'bcedice': no kappa (VM-UNet's loss); the schedule still exists so a trainer needs no special case.
 */

export type SegLossName = 'atvmf' | 'tvmf' | 'bcedice';

export const SEG_LOSSES: readonly SegLossName[] = ['atvmf', 'tvmf', 'bcedice'];

/** The authors' lambda (train.py --lamda 32). */
export const ADAPTIVE_KAPPA_LAMBDA = 32;
/** The authors' fixed kappa (train.py --kappa 32). */
export const FIXED_KAPPA = 32;

export interface KappaOptions {
  numClasses?: number;
  lambda?: number;
  fixedKappa?: number;
}

/** kappa_c = lambda * DSC_c. A NaN DSC (undefined) counts as 0; DSC is clamped to [0, 1]. */
export function adaptiveKappa(dscPerClass: readonly number[], lambda = ADAPTIVE_KAPPA_LAMBDA): number[] {
  if (!(lambda >= 0)) throw new Error(`adaptiveKappa: lambda must be >= 0, got ${lambda}`);
  return dscPerClass.map((d) => lambda * (Number.isNaN(d) ? 0 : Math.min(1, Math.max(0, d))));
}

/** The per-class kappa of one run, updated at the end of each epoch. */
export class KappaSchedule {
  readonly numClasses: number;
  readonly lambda: number;
  readonly fixedKappa: number;
  private current: number[];

  constructor(
    readonly loss: SegLossName,
    o: KappaOptions = {},
  ) {
    this.numClasses = o.numClasses ?? 2;
    this.lambda = o.lambda ?? ADAPTIVE_KAPPA_LAMBDA;
    this.fixedKappa = o.fixedKappa ?? FIXED_KAPPA;
    if (!Number.isInteger(this.numClasses) || this.numClasses < 1) throw new Error(`KappaSchedule: numClasses must be >= 1, got ${this.numClasses}`);
    if (!(this.lambda >= 0) || !(this.fixedKappa >= 0)) throw new Error('KappaSchedule: lambda and the fixed kappa must be >= 0');
    this.current = new Array<number>(this.numClasses).fill(loss === 'tvmf' ? this.fixedKappa : 0);
  }

  /** Whether epochEnd() needs validation DSCs (only the adaptive loss does). */
  get needsValidation(): boolean {
    return this.loss === 'atvmf';
  }

  /** The kappa to train the next epoch with (a copy). */
  get kappa(): number[] {
    return [...this.current];
  }

  /** Report the epoch's validation DSC per class; the adaptive loss takes kappa = lambda * DSC. */
  epochEnd(dscPerClass: readonly number[] | null): void {
    if (this.loss !== 'atvmf') return;
    if (!dscPerClass) throw new Error('KappaSchedule: the adaptive t-vMF loss needs the validation DSC per class after each epoch');
    if (dscPerClass.length !== this.numClasses) throw new Error(`KappaSchedule: ${dscPerClass.length} DSCs for ${this.numClasses} classes`);
    this.current = adaptiveKappa(dscPerClass, this.lambda);
  }

  /** Restore a saved kappa (resuming a run). */
  set(kappa: readonly number[]): void {
    if (kappa.length !== this.numClasses || kappa.some((k) => !(k >= 0))) throw new Error(`KappaSchedule.set: bad kappa [${kappa.join(', ')}]`);
    this.current = [...kappa];
  }
}
