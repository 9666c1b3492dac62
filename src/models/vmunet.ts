/**
 * VM-UNet-lite: the Vision-Mamba segmenter of the pseudo-labelling experiment (Ruan & Xiang 2024), in
 * differentiable tfjs ops, NHWC, with the selective scan dispatched to our WGSL kernel on WebGPU
 * (selectiveScanOp) and to the plain-tfjs reference elsewhere. See vmunet-config.ts for sizes and presets.
 *
 *   x [B, S, S, Cin]
 *   patch embedding: 4x4 patches -> linear (a 4x4 stride-4 conv with bias) -> LN       [B, S/4, S/4, C0]
 *   encoder stage i = 0..stages-1: VSS blocks x depths[i] (kept as skip i); patch merging to stage i+1
 *       (2x2 neighbours concatenated -> LN -> linear 4C -> 2C, no bias) except after the last stage
 *   decoder stage i = stages-2..0: patch expanding (linear C -> 2C, no bias -> 2x2 depth-to-space -> LN(C/2)),
 *       + skip i, VSS blocks x decoderDepths[i]
 *   final expanding (linear C0 -> 4 C0 -> 4x4 depth-to-space -> LN(C0/4)), 1x1 conv with bias -> [B, S, S, 2]
 *
 * VSS block (VMamba / VM-UNet, without drop-path): x + SS2D(LN(x)), where SS2D on [B, H, W, C] is
 *   in_proj (linear C -> 2E, E = expand C, no bias) split into u and z;
 *   u -> depthwise k x k conv (with bias) -> SiLU -> four scanning orders (scan-directions.ts), each with its
 *   own projection u -> (delta_low [R], B [N], C [N]) and delta = softplus(W_dt delta_low + b_dt);
 *   the selective scan with A = -exp(A_log) [E, N] and the skip D [E];
 *   the four outputs merged back and summed -> LN(E) -> times SiLU(z) -> out_proj (linear E -> C, no bias).
 * The four orders are folded into the batch axis of one scan ([4B, L, E]), so A_log and D are shared by the
 * four directions; VMamba keeps one A_log and D per direction (4E x N and 4E). Everything else (projections,
 * delta bias) is per direction as in VMamba.
 *
 * Initialisation as VMamba / VM-UNet: linear layers N(0, 0.02^2) (trunc_normal in theirs), layer norms 1 and
 * 0, the patch embedding and depthwise convolutions N(0, 2 / fan_out); x_proj U(+-1/sqrt(E)) (nn.Linear's
 * default), dt_proj U(+-R^-0.5), its bias the softplus inverse of delta ~ logU[dtMin, dtMax], A_log[d, n] =
 * log(n + 1) (S4D-real), D = 1. The head, N(0, 1 / Cin) with bias 0, follows unet.ts (VM-UNet's conv init
 * would give it std sqrt(2)). Seeded per parameter key (ParamStore).
 *
 * Parameter keys: embed.{weight,bias,norm.weight,norm.bias}; enc{i}.block{j}.<vss>; merge{i}.{norm.*,weight};
 * dec{i}.expand.{weight,norm.*}; dec{i}.block{j}.<vss>; final.{weight,norm.*}; head.{weight,bias}; where
 * <vss> = norm.*, in_proj, conv.{weight,bias}, x_proj [4, E, R + 2N], dt_proj.{weight [4, R, E], bias [4, E]},
 * A_log [E, N], D [E], out_norm.*, out_proj.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/rng.ts';
import { selectiveScanOp } from '../gpu/kernels/index.ts';
import { layerNorm } from './ops/layer-norm.ts';
import { depthToSpace, spaceToDepth } from './ops/patches.ts';
import { crossMerge, crossScan, SCAN_DIRECTIONS } from './ops/scan-directions.ts';
import { ParamModel } from './param-model.ts';
import { ParamStore } from './param-store.ts';
import { dtRankFor, stageWidth, validateVMUNetConfig, type VMUNetConfig } from './vmunet-config.ts';

/** Output classes: background (0) and foreground (1), as the U-Net. */
export const VMUNET_CLASSES = 2;

/** Mamba's init_std of the linear layers (VM-UNet's trunc_normal_(std=.02)). */
const LINEAR_STD = 0.02;

interface Norm {
  weight: tf.Variable;
  bias: tf.Variable;
}

interface VssBlock {
  norm: Norm;
  inProj: tf.Variable; // [C, 2E]
  convWeight: tf.Variable; // [k, k, E, 1]
  convBias: tf.Variable; // [E]
  xProj: tf.Variable; // [4, E, R + 2N] (R = E when the delta is full rank)
  dtWeight: tf.Variable | null; // [4, R, E], or null for a full-rank delta
  dtBias: tf.Variable; // [4, 1, E]
  aLog: tf.Variable; // [E, N]
  d: tf.Variable; // [E]
  outNorm: Norm;
  outProj: tf.Variable; // [E, C]
  /** Columns of x_proj's output that feed delta (R), then N for B and N for C. */
  deltaCols: number;
}

interface Expand {
  weight: tf.Variable; // [C, factor * C]
  norm: Norm;
  factor: number;
}

/** Uniform initial values in [-bound, bound), seeded by (store, key). */
function uniform(store: ParamStore, key: string, shape: number[], bound: number): tf.Variable {
  const r = mulberry32(store.seedFor(key));
  const n = shape.reduce((a, b) => a * b, 1);
  return store.constant(key, shape, Float32Array.from({ length: n }, () => (2 * r() - 1) * bound));
}

function createNorm(store: ParamStore, key: string, width: number): Norm {
  return { weight: store.constant(`${key}.weight`, [width], 1), bias: store.constant(`${key}.bias`, [width], 0) };
}

/** The delta bias: softplus^-1(dt) for dt log-uniform in [dtMin, dtMax], one per direction and channel. */
function dtBiasInit(store: ParamStore, key: string, e: number, c: VMUNetConfig): tf.Variable {
  const r = mulberry32(store.seedFor(key));
  const values = Float32Array.from({ length: SCAN_DIRECTIONS * e }, () => {
    const dt = Math.max(1e-4, Math.exp(r() * (Math.log(c.dtMax) - Math.log(c.dtMin)) + Math.log(c.dtMin)));
    return dt + Math.log(-Math.expm1(-dt)); // softplus(dt + log(1 - exp(-dt))) = dt
  });
  return store.constant(key, [SCAN_DIRECTIONS, 1, e], values);
}

function createVss(store: ParamStore, key: string, width: number, c: VMUNetConfig): VssBlock {
  const e = c.expand * width;
  const n = c.dState;
  const k = c.convKernel;
  const rank = dtRankFor(c, width);
  const deltaCols = rank ?? e;
  // A_log[d, n] = log(n + 1) for every channel: S4D-real's A = -(n + 1).
  const aLog = Float32Array.from({ length: e * n }, (_, i) => Math.log((i % n) + 1));
  return {
    norm: createNorm(store, `${key}.norm`, width),
    inProj: store.normal(`${key}.in_proj`, [width, 2 * e], LINEAR_STD),
    convWeight: store.normal(`${key}.conv.weight`, [k, k, e, 1], Math.sqrt(2 / (k * k))),
    convBias: store.constant(`${key}.conv.bias`, [e], 0),
    xProj: uniform(store, `${key}.x_proj`, [SCAN_DIRECTIONS, e, deltaCols + 2 * n], 1 / Math.sqrt(e)),
    dtWeight: rank === null ? null : uniform(store, `${key}.dt_proj.weight`, [SCAN_DIRECTIONS, rank, e], 1 / Math.sqrt(rank)),
    dtBias: dtBiasInit(store, `${key}.dt_proj.bias`, e, c),
    aLog: store.constant(`${key}.A_log`, [e, n], aLog),
    d: store.constant(`${key}.D`, [e], 1),
    outNorm: createNorm(store, `${key}.out_norm`, e),
    outProj: store.normal(`${key}.out_proj`, [e, width], LINEAR_STD),
    deltaCols,
  };
}

/** x [..., Cin] times w [Cin, Cout] -> [..., Cout]. */
function linear(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const cin = x.shape[x.shape.length - 1] as number;
  const cout = w.shape[1] as number;
  const out = tf.matMul(tf.reshape(x, [-1, cin]), w as tf.Tensor2D);
  return tf.reshape(out, [...x.shape.slice(0, -1), cout]);
}

function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

export class VMUNet extends ParamModel {
  readonly config: VMUNetConfig;
  readonly params: ParamStore;
  private readonly embedWeight: tf.Variable; // [p*p*Cin, C0]
  private readonly embedBias: tf.Variable; // [C0]
  private readonly embedNorm: Norm;
  private readonly encoder: VssBlock[][] = [];
  private readonly merges: { norm: Norm; weight: tf.Variable }[] = [];
  /** decoder[i] works at stage i (used from stages - 2 down to 0). */
  private readonly decoder: { expand: Expand; blocks: VssBlock[] }[] = [];
  private readonly finalExpand: Expand;
  private readonly headWeight: tf.Variable; // [C0 / p, 2]
  private readonly headBias: tf.Variable; // [2]

  constructor(config: VMUNetConfig) {
    super('VMUNet');
    validateVMUNetConfig(config);
    this.config = config;
    const store = (this.params = new ParamStore(config.seed));
    const p = config.patchSize;
    const c0 = config.embedDim;
    const stages = config.depths.length;
    this.embedWeight = store.normal('embed.weight', [p * p * config.channels, c0], Math.sqrt(2 / (p * p * c0)));
    this.embedBias = store.constant('embed.bias', [c0], 0);
    this.embedNorm = createNorm(store, 'embed.norm', c0);
    for (let i = 0; i < stages; i++) {
      const w = stageWidth(config, i);
      this.encoder.push(Array.from({ length: config.depths[i] as number }, (_, j) => createVss(store, `enc${i}.block${j}`, w, config)));
      if (i < stages - 1) this.merges.push({ norm: createNorm(store, `merge${i}.norm`, 4 * w), weight: store.normal(`merge${i}.weight`, [4 * w, 2 * w], LINEAR_STD) });
    }
    for (let i = 0; i < stages - 1; i++) {
      const w = stageWidth(config, i);
      const below = stageWidth(config, i + 1);
      this.decoder.push({
        expand: { weight: store.normal(`dec${i}.expand.weight`, [below, 2 * below], LINEAR_STD), norm: createNorm(store, `dec${i}.expand.norm`, w), factor: 2 },
        blocks: Array.from({ length: config.decoderDepths[i] as number }, (_, j) => createVss(store, `dec${i}.block${j}`, w, config)),
      });
    }
    this.finalExpand = { weight: store.normal('final.weight', [c0, p * c0], LINEAR_STD), norm: createNorm(store, 'final.norm', c0 / p), factor: p };
    this.headWeight = store.normal('head.weight', [c0 / p, VMUNET_CLASSES], 1 / Math.sqrt(c0 / p));
    this.headBias = store.constant('head.bias', [VMUNET_CLASSES], 0);
  }

  /**
   * Logits [B, S, S, 2] for images [B, S, S, C] in [-1, 1]. The network has no batch statistics, so
   * `training` changes nothing (kept for the segmenter interface). Differentiable; intermediates are tidied.
   */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    void training;
    this.checkAlive();
    const { channels, inputSize, patchSize: p } = this.config;
    const [, h, w, c] = x.shape;
    if (c !== channels || h !== inputSize || w !== inputSize) {
      throw new Error(`VMUNet: expected [B, ${inputSize}, ${inputSize}, ${channels}] images, got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let y = tf.add(linear(spaceToDepth(x, p), this.embedWeight), this.embedBias) as tf.Tensor4D;
      y = this.norm(y, this.embedNorm);
      const skips: tf.Tensor4D[] = [];
      this.encoder.forEach((blocks, i) => {
        for (const b of blocks) y = this.vss(y, b);
        skips.push(y);
        const merge = this.merges[i];
        if (merge) y = linear(this.norm(spaceToDepth(y, 2), merge.norm), merge.weight) as tf.Tensor4D;
      });
      for (let i = this.decoder.length - 1; i >= 0; i--) {
        const level = this.decoder[i] as (typeof this.decoder)[number];
        y = tf.add(this.expand(y, level.expand), skips[i] as tf.Tensor4D);
        for (const b of level.blocks) y = this.vss(y, b);
      }
      y = this.expand(y, this.finalExpand);
      return tf.add(linear(y, this.headWeight), this.headBias) as tf.Tensor4D;
    });
  }



  private norm<T extends tf.Tensor>(x: T, n: Norm): T {
    return layerNorm(x, n.weight as tf.Tensor1D, n.bias as tf.Tensor1D, this.config.lnEpsilon);
  }

  /** Linear C -> factor C, then depth-to-space by `factor` and LN: [B, H, W, C] -> [B, fH, fW, C / factor]. */
  private expand(x: tf.Tensor4D, e: Expand): tf.Tensor4D {
    return this.norm(depthToSpace(linear(x, e.weight) as tf.Tensor4D, e.factor), e.norm);
  }

  /** x + SS2D(LN(x)) on [B, H, W, C]. */
  private vss(x: tf.Tensor4D, blk: VssBlock): tf.Tensor4D {
    const [b, h, w] = x.shape;
    const len = h * w;
    const e = blk.d.shape[0] as number;
    const n = blk.aLog.shape[1] as number;
    const r = blk.deltaCols;
    const k = SCAN_DIRECTIONS;
    const xz = linear(this.norm(x, blk.norm), blk.inProj) as tf.Tensor4D; // [B, H, W, 2E]
    const u = tf.slice(xz, [0, 0, 0, 0], [-1, -1, -1, e]);
    const z = tf.slice(xz, [0, 0, 0, e], [-1, -1, -1, e]);
    const conv = tf.add(tf.depthwiseConv2d(u, blk.convWeight as tf.Tensor4D, 1, 'same'), blk.convBias) as tf.Tensor4D;
    const seqs = tf.reshape(crossScan(silu(conv)), [k, b * len, e]) as tf.Tensor3D; // [4, B L, E]
    const proj = tf.matMul(seqs, blk.xProj as tf.Tensor3D); // [4, B L, R + 2N]
    const low = tf.slice(proj, [0, 0, 0], [-1, -1, r]);
    const dtIn = blk.dtWeight ? tf.matMul(low as tf.Tensor3D, blk.dtWeight as tf.Tensor3D) : low;
    const delta = tf.softplus(tf.add(dtIn, blk.dtBias));
    const bm = tf.slice(proj, [0, 0, r], [-1, -1, n]);
    const cm = tf.slice(proj, [0, 0, r + n], [-1, -1, n]);
    const a = tf.neg(tf.exp(blk.aLog)) as tf.Tensor2D;
    const seq3 = (t: tf.Tensor, width: number): tf.Tensor3D => tf.reshape(t, [k * b, len, width]);
    const ys = selectiveScanOp(seq3(seqs, e), seq3(delta, e), a, seq3(bm, n), seq3(cm, n), blk.d as tf.Tensor1D);
    const merged = crossMerge(tf.reshape(ys, [k, b, len, e]), h, w);
    const gated = tf.mul(this.norm(merged, blk.outNorm), silu(z));
    return tf.add(x, linear(gated, blk.outProj)) as tf.Tensor4D;
  }

}
