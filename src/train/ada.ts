/**
 * The adaptive augmentation controller of ADA: the overfitting heuristic r_t = E[sign(D(x_real))] (how
 * confidently the discriminator calls training images real) is averaged over `interval` steps, and p is
 * moved up when r_t exceeds the target, down otherwise, by a fixed step sized so that p could cross 0 -> 1
 * after `kimg` thousand images.
 */

export interface AdaConfig {
  /** Target value of r_t (ADA: 0.6). */
  target: number;
  /** Steps between adjustments (ADA: 4). */
  interval: number;
  /**
   * Thousands of images for p to go from 0 to 1 at full speed. StyleGAN2-ADA uses 500 and StyleGAN3 100,
   * for runs of tens of thousands of kimg; our runs are a few hundred times shorter, hence 10 by default.
   */
  kimg: number;
  /** Starting probability. */
  initialP: number;
  /** Upper bound on p (1; ADA does not cap, but a probability above 1 means nothing more). */
  maxP: number;
  /** false freezes p at initialP (fixed augmentation, or none with initialP 0). */
  adaptive: boolean;
}

export const DEFAULT_ADA: AdaConfig = { target: 0.6, interval: 4, kimg: 10, initialP: 0, maxP: 1, adaptive: true };

export interface AdaState {
  p: number;
  /** Sum and count of r_t reports since the last adjustment. */
  signSum: number;
  signCount: number;
}

export function initialAdaState(cfg: AdaConfig): AdaState {
  return { p: cfg.initialP, signSum: 0, signCount: 0 };
}

/**
 * Record this step's r_t (mean sign of the real logits) and, on every `interval`-th step, adjust p.
 * `step` is the 0-based index of the step just run. Returns the new state (the input is not mutated).
 */
export function adaUpdate(cfg: AdaConfig, state: AdaState, realSign: number, batchSize: number, step: number): AdaState {
  const signSum = state.signSum + realSign;
  const signCount = state.signCount + 1;
  if (!cfg.adaptive || step % cfg.interval !== 0) return { p: state.p, signSum, signCount };
  const rt = signSum / signCount;
  const adjust = (Math.sign(rt - cfg.target) * batchSize * cfg.interval) / (cfg.kimg * 1000);
  const p = Math.min(cfg.maxP, Math.max(0, state.p + adjust));
  return { p, signSum: 0, signCount: 0 };
}
