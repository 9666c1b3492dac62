/**
 * The image classifier of the classification experiment: a ResNet for small images (see classifier-config.ts
 * for the architecture choices), in plain differentiable tfjs ops, NHWC.
 *
 *   x [N, S, S, C] in [-1, 1]
 *   -> stem: conv3x3 (stride 1, or 2) -> BN -> ReLU
 *   -> stages 1..4 of residual blocks (stride 2 in the first block of stages 2..4)
 *        basic:      conv3x3(s) -> BN -> ReLU -> conv3x3 -> BN           (+ shortcut) -> ReLU
 *        bottleneck: conv1x1 -> BN -> ReLU -> conv3x3(s) -> BN -> ReLU -> conv1x1 (x4) -> BN (+ shortcut) -> ReLU
 *        shortcut: identity, or conv1x1(s) -> BN when the shape changes (ResNet "option B"; the stride sits on the
 *        3x3 in bottlenecks, torchvision's "v1.5")
 *   -> global average pool -> linear head -> logits [N, numClasses]
 *
 * Convolutions have no bias (batch norm follows each). Initialisation as torchvision's: He normal with
 * fan-out for convolutions, batch-norm scale 1 and shift 0 (scale 0 on each branch's last BN when
 * zeroInitResidual), head weights uniform in +-1/sqrt(fan-in) (drawn here as a normal of that std). Weights
 * are seeded per parameter key (ParamStore), so the same config gives the same initial network everywhere.
 * Parameter keys follow torchvision's ResNet names (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, fc);
 * the layouts are tfjs's (conv [k, k, in, out], fc [in, out]).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, createBatchNorm, type BatchNorm } from './batch-norm.ts';
import { stageWidth, validateClassifierConfig, type ClassifierConfig } from './classifier-config.ts';
import { convPadded, defaultConvImpl, PatchKernels, type ConvImpl } from './ops/conv-im2col.ts';
import { broadcastRows } from './ops/row-broadcast.ts';
import { ParamModel } from './param-model.ts';
import { ParamStore } from './param-store.ts';

interface ConvBn {
  weight: tf.Variable; // [k, k, in, out]
  stride: number;
  bn: BatchNorm;
}

interface ResidualBlock {
  /** basic: [3x3(s), 3x3]; bottleneck: [1x1, 3x3(s), 1x1]. */
  convs: ConvBn[];
  /** null: identity shortcut. */
  shortcut: ConvBn | null;
}

export interface ClassifierOptions {
  /** How convolutions are computed; default by backend at each call (im2col on 'cpu', else tf.conv2d). */
  convImpl?: ConvImpl;
}

export class Classifier extends ParamModel {
  readonly config: ClassifierConfig;
  readonly params: ParamStore;
  private readonly stem: ConvBn;
  private readonly blocks: ResidualBlock[] = [];
  private readonly fcWeight: tf.Variable; // [features, numClasses]
  private readonly fcBias: tf.Variable; // [numClasses]
  private readonly patches = new PatchKernels();
  private readonly convImpl: ConvImpl | undefined;

  constructor(config: ClassifierConfig, options: ClassifierOptions = {}) {
    super('Classifier');
    validateClassifierConfig(config);
    this.config = config;
    this.convImpl = options.convImpl;
    const store = (this.params = new ParamStore(config.seed));
    const bnOpts = { momentum: config.bnMomentum, epsilon: config.bnEpsilon };
    const convBn = (key: string, bnKey: string, k: number, cin: number, cout: number, stride: number, lastInBranch = false): ConvBn => ({
      // He normal, fan-out mode (torchvision's kaiming_normal_(mode='fan_out', nonlinearity='relu')).
      weight: store.normal(`${key}.weight`, [k, k, cin, cout], Math.sqrt(2 / (k * k * cout))),
      stride,
      bn: createBatchNorm(store, bnKey, cout, { ...bnOpts, gammaInit: lastInBranch && config.zeroInitResidual ? 0 : 1 }),
    });

    this.stem = convBn('conv1', 'bn1', 3, config.channels, config.baseWidth, config.stemStride);
    let cin = config.baseWidth;
    config.depths.forEach((depth, stage) => {
      const mid = config.baseWidth * 2 ** stage;
      const cout = stageWidth(config, stage);
      for (let b = 0; b < depth; b++) {
        const stride = stage > 0 && b === 0 ? 2 : 1;
        const key = `layer${stage + 1}.${b}`;
        const convs =
          config.block === 'basic'
            ? [
                convBn(`${key}.conv1`, `${key}.bn1`, 3, cin, mid, stride),
                convBn(`${key}.conv2`, `${key}.bn2`, 3, mid, cout, 1, true),
              ]
            : [
                convBn(`${key}.conv1`, `${key}.bn1`, 1, cin, mid, 1),
                convBn(`${key}.conv2`, `${key}.bn2`, 3, mid, mid, stride),
                convBn(`${key}.conv3`, `${key}.bn3`, 1, mid, cout, 1, true),
              ];
        const shortcut = stride !== 1 || cin !== cout ? convBn(`${key}.downsample.0`, `${key}.downsample.1`, 1, cin, cout, stride) : null;
        this.blocks.push({ convs, shortcut });
        cin = cout;
      }
    });
    this.fcWeight = store.normal('fc.weight', [cin, config.numClasses], 1 / Math.sqrt(cin));
    this.fcBias = store.constant('fc.bias', [config.numClasses], 0);
  }

  /** Size of the pooled feature vector (the head's input). */
  get featureSize(): number {
    return this.fcWeight.shape[0] as number;
  }

  /**
   * Logits [N, numClasses] for images [N, S, S, C] in [-1, 1]. training = true uses batch statistics in batch
   * norm and updates its running averages (a side effect, as in PyTorch's train mode); false uses the running
   * averages and changes nothing. Differentiable; intermediates are tidied.
   */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const f = this.forwardFeatures(x, training);
      return tf.add(tf.matMul(f, this.fcWeight), broadcastRows(this.fcBias, f.shape[0]));
    });
  }

  /** Globally pooled features [N, featureSize] (the head's input), same modes as forward(). */
  features(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.forwardFeatures(x, training));
  }

  protected override disposeOwned(): void {
    this.patches.dispose();
  }


  private forwardFeatures(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    this.checkAlive();
    const { channels, inputSize } = this.config;
    const [, h, w, c] = x.shape;
    if (c !== channels || h !== inputSize || w !== inputSize) {
      throw new Error(`Classifier: expected [N, ${inputSize}, ${inputSize}, ${channels}] images, got [${x.shape.join(', ')}]`);
    }
    const impl = this.convImpl ?? defaultConvImpl();
    const apply = (layer: ConvBn, h: tf.Tensor4D): tf.Tensor4D =>
      batchNorm(layer.bn, convPadded(h, layer.weight as tf.Tensor4D, layer.stride, impl, this.patches), training);

    let h4 = tf.relu(apply(this.stem, x));
    for (const block of this.blocks) {
      let y = h4;
      block.convs.forEach((layer, i) => {
        y = apply(layer, y);
        if (i < block.convs.length - 1) y = tf.relu(y);
      });
      const skip = block.shortcut ? apply(block.shortcut, h4) : h4;
      h4 = tf.relu(tf.add(y, skip) as tf.Tensor4D);
    }
    return globalAveragePool(h4);
  }

}

/**
 * [N, H, W, C] -> [N, C] mean over H and W, as a batched matMul with a constant row (a reduction over the
 * middle axes would make the CPU backend transpose the whole activation first).
 */
function globalAveragePool(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  const rows = tf.reshape(x, [n, h * w, c]) as tf.Tensor3D;
  const weights = tf.fill([n, 1, h * w], 1 / (h * w)) as tf.Tensor3D;
  return tf.reshape(tf.matMul(weights, rows), [n, c]);
}
