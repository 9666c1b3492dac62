/**
 * Adam, AdamW and SGD with momentum, written out so the learning rate can change at every step (tfjs's own
 * optimizers keep it in a protected field) and so the update is exactly the documented one.
 *
 * Adam (Kingma & Ba, PyTorch's form): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). The epsilon is always explicit: tfjs's default
 *   becomes 1e-4 on WebGL (half-float precision) and training then diverges from the other backends.
 * AdamW (Loshchilov & Hutter, PyTorch's form; VM-UNet's optimizer): decoupled weight decay, p -= lr * wd * p,
 *   taken before the Adam update, which then sees the plain gradient.
 * SGD (PyTorch's form): buf = momentum * buf + g; p -= lr * buf (Nesterov: p -= lr * (g + momentum * buf)).
 * Weight decay (adam, sgd): L2 added to the gradient (g += wd * p), as PyTorch's `weight_decay`. For every
 * kind it is applied only to weights of rank >= 2 (convolutions, the head): decaying batch-norm scales and
 * biases fights the normalisation and is commonly left out (PyTorch's AdamW would decay them too).
 *
 * Moment buffers are created with the optimizer (not on the first step), so tf.memory().numTensors is the same
 * before and after every step.
 *
 * On WebGPU, Adam and AdamW run our fused update kernels (src/gpu/kernels/adam-update.ts): 3 programs per
 * variable instead of 13 (plus one for AdamW's decay), the same arithmetic in another order (agreeing to
 * float rounding); SGD runs sgd-update.ts, 2 programs instead of 4-6, the same arithmetic in the same order. A training step of the segmenters is bound by program launches on a real GPU, and the
 * optimizer was about half of them. Other backends keep the ops below, unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdateOp, sgdUpdateOp } from '../gpu/kernels/index.ts';

export type OptimizerConfig =
  | { kind: 'adam'; beta1: number; beta2: number; epsilon: number; weightDecay: number }
  | { kind: 'adamw'; beta1: number; beta2: number; epsilon: number; weightDecay: number }
  | { kind: 'sgd'; momentum: number; nesterov: boolean; weightDecay: number };

/** Keras/tfjs Adam defaults with the epsilon made explicit (tfjs: 1e-7). */
export const DEFAULT_ADAM: OptimizerConfig = { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };
/** The usual from-scratch ResNet setting (lr about 0.1 with it). */
export const DEFAULT_SGD: OptimizerConfig = { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 };
/** The t-vMF U-Net's optimizer (lr 0.01 with it): torch.optim.SGD(momentum=0.9, weight_decay=1e-4). */
export const SEG_SGD: OptimizerConfig = { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4 };
/** VM-UNet's optimizer (lr 1e-3 with it): torch.optim.AdamW(betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2). */
export const DEFAULT_ADAMW: OptimizerConfig = { kind: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 };

export class ScheduledOptimizer {
  /** Steps taken (Adam's bias correction uses it). */
  iterations = 0;
  private readonly first: tf.Variable[];
  private readonly second: tf.Variable[];

  constructor(
    readonly config: OptimizerConfig,
    private readonly vars: tf.Variable[],
  ) {
    const zeros = (): tf.Variable[] => vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.first = zeros();
    this.second = config.kind === 'adam' || config.kind === 'adamw' ? zeros() : [];
  }

  /** One update of every variable with its gradient (same order as the constructor's list). */
  apply(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.vars.length) throw new Error(`ScheduledOptimizer: ${grads.length} gradients for ${this.vars.length} variables`);
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`ScheduledOptimizer: bad learning rate ${lr}`);
    const c = this.config;
    const t = ++this.iterations;
    // Adam: adamUpdateOp on WebGPU (our kernels where registered and enabled, else tfjs's Adam arithmetic), the
    // documented ops elsewhere.
    const fused = tf.getBackend() === 'webgpu';
    tf.tidy(() => {
      this.vars.forEach((p, i) => {
        let g = grads[i] as tf.Tensor;
        const decay = c.weightDecay > 0 && p.rank >= 2;
        // Adam's L2 term (SGD's is added inside sgdUpdateOp, in the same place of the arithmetic).
        if (decay && c.kind === 'adam') g = tf.add(g, tf.mul(p, c.weightDecay));
        // AdamW: the decay step uses the weight before this update (PyTorch's p.mul_(1 - lr * wd) first).
        const p0: tf.Tensor = decay && c.kind === 'adamw' ? tf.mul(p, 1 - lr * c.weightDecay) : p;
        const m = this.first[i] as tf.Variable;
        if ((c.kind === 'adam' || c.kind === 'adamw') && fused) {
          const v = this.second[i] as tf.Variable;
          const out = adamUpdateOp(p0, g, m, v, { lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, correction1: 1 - c.beta1 ** t, correction2: 1 - c.beta2 ** t });
          m.assign(out.m);
          v.assign(out.v);
          p.assign(out.p);
        } else if (c.kind === 'adam' || c.kind === 'adamw') {
          const v = this.second[i] as tf.Variable;
          const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(g, 1 - c.beta1));
          const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
          m.assign(m1);
          v.assign(v1);
          // Bias corrections folded into scalars: lr_t = lr / (1 - b1^t), denominator sqrt(v / (1 - b2^t)) + eps.
          const denom = tf.add(tf.sqrt(tf.mul(v1, 1 / (1 - c.beta2 ** t))), c.epsilon);
          p.assign(tf.sub(p0, tf.mul(tf.div(m1, denom), lr / (1 - c.beta1 ** t))));
        } else {
          // Our kernel on WebGPU; elsewhere sgdUpdateReference, the documented ops above, op for op.
          const out = sgdUpdateOp(p, g, m, { lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: decay ? c.weightDecay : 0 });
          m.assign(out.buf);
          p.assign(out.p);
        }
      });
    });
  }

  dispose(): void {
    for (const v of [...this.first, ...this.second]) v.dispose();
  }
}
