/**
 * One comparison case: an op (our kernel path) against its plain-tfjs reference on the same backend, for
 * values and for the gradients of a random-weighted sum of the output w.r.t. every input; plus proof that
 * the kernel path really ran (tf.profile kernel names) and that repeated calls leak neither tensors nor
 * backend data (temporaries inside the kernels).
 */
import * as tf from '@tensorflow/tfjs';
import { maxRelError, randomTensor, values } from './compare.ts';
import type { CaseResult } from './types.ts';

export const TOLERANCE = 1e-4;

export interface OpCase {
  name: string;
  /** Fresh inputs for each call; the harness disposes them. */
  inputs: () => tf.Tensor[];
  inputNames: string[];
  kernel: (inputs: tf.Tensor[]) => tf.Tensor;
  reference: (inputs: tf.Tensor[]) => tf.Tensor;
  /** Kernel names that must appear in tf.profile of forward + backward through `kernel`. */
  kernelNames: string[];
  /** Absolute error the reference's own forward values carry (see maxRelError); default 0. */
  referenceValueSlack?: number;
  /** Runs before / after the case (e.g. a test-only limit override). */
  setup?: () => void;
  teardown?: () => void;
}

/** Gradients of sum(f(inputs) * weights) w.r.t. every input, and the forward value. */
function forwardAndGrads(f: (inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): tf.Tensor[] {
  return tf.tidy(() => {
    const y = f(inputs);
    const w = randomTensor(y.shape, seed);
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(xs), w)))(inputs);
    return [y, ...grads];
  });
}

async function readAll(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(ts.map(values));
}

/** A not-yet-passed result for a case, to be filled in by whoever runs it. */
export function newCaseResult(name: string, tolerance = TOLERANCE): CaseResult {
  return { name, passed: false, errors: {}, tolerance, kernelUsed: null, leakedTensors: 0, leakedDataIds: 0, detail: '' };
}

export async function runOpCase(c: OpCase, seed = 1234): Promise<CaseResult> {
  const result = newCaseResult(c.name);
  c.setup?.();
  try {
    const inputs = c.inputs();
    try {
      const got = forwardAndGrads(c.kernel, inputs, seed);
      const want = forwardAndGrads(c.reference, inputs, seed);
      const [g, w] = await Promise.all([readAll(got), readAll(want)]);
      tf.dispose([...got, ...want]);
      const labels = ['value', ...c.inputNames.map((n) => `d/d${n}`)];
      labels.forEach((label, i) => (result.errors[label] = maxRelError(g[i] ?? [], w[i] ?? [], i === 0 ? (c.referenceValueSlack ?? 0) : 0)));

      const profile = await tf.profile(async () => {
        const ts = forwardAndGrads(c.kernel, inputs, seed);
        await readAll(ts);
        tf.dispose(ts);
      });
      const missing = c.kernelNames.filter((k) => !profile.kernelNames.includes(k));
      result.kernelUsed = missing.length === 0;

      // Repeated calls: the tensor count and the backend's data entries must come back to where they were.
      const tensorsBefore = tf.memory().numTensors;
      const dataBefore = tf.backend().numDataIds();
      for (let i = 0; i < 3; i++) {
        const ts = forwardAndGrads(c.kernel, inputs, seed);
        await readAll(ts);
        tf.dispose(ts);
      }
      result.leakedTensors = tf.memory().numTensors - tensorsBefore;
      result.leakedDataIds = tf.backend().numDataIds() - dataBefore;

      const worst = Math.max(...Object.values(result.errors));
      result.passed = worst <= TOLERANCE && result.kernelUsed && result.leakedTensors === 0 && result.leakedDataIds === 0;
      result.detail = [
        `worst ${worst.toExponential(2)}`,
        missing.length ? `kernels not seen: ${missing.join(', ')}` : 'kernels seen',
        `leaks ${result.leakedTensors} tensors / ${result.leakedDataIds} data ids`,
      ].join('; ');
    } finally {
      tf.dispose(inputs);
    }
  } catch (err) {
    result.passed = false;
    result.detail = `threw: ${(err as Error).message}`;
  } finally {
    c.teardown?.();
  }
  return result;
}
