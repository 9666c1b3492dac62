/**
 * Fault injection, FOR TESTS ONLY: lets the end-to-end tests prove, in a real browser, that a NaN loss or a
 * lost GPU device pauses a generator run at its last good checkpoint with a message (train-generators.ts).
 *
 * Nothing here acts unless the 'inject-fault' request asks for it; the app's UI never sends that request.
 * Both faults go through the real code paths rather than faking their symptoms:
 *  - 'nan': the training loop, before its next step, adds NaN to one weight of the generator being trained
 *    (Variable.assign). On the CPU backend that step's losses come out NaN; on WebGPU the NaN can be
 *    absorbed by max/clamp and leave the losses finite, which the loop's per-step weight check catches;
 *  - 'device-lost': destroys tfjs's WebGPU device at once, which fires GPUDevice.lost as a driver reset
 *    would; every later GPU call of this worker fails, so only a page reload recovers (a new worker, a new
 *    device).
 */
import * as tf from '@tensorflow/tfjs';
import type { GanState } from '../train/gan-state.ts';

export type FaultKind = 'nan' | 'device-lost';

let pendingNan = false;
/** Training loops in progress (trainOne increments it for its lifetime). */
let activeLoops = 0;

/** Called by the 'inject-fault' request. Refuses when there is nothing to break, rather than arming a trap. */
export function injectFault(kind: FaultKind): { kind: FaultKind; applied: string } {
  if (kind === 'nan') {
    if (activeLoops === 0) throw new Error('inject-fault nan: no generator is training');
    pendingNan = true;
    return { kind, applied: 'before the next training step' };
  }
  if (tf.getBackend() !== 'webgpu') throw new Error(`inject-fault device-lost: the ${tf.getBackend()} backend has no GPU device to lose`);
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (!device) throw new Error('inject-fault device-lost: the WebGPU backend exposes no device');
  device.destroy();
  return { kind, applied: 'now' };
}

/** Marks a training loop as running (so 'nan' can be armed); returns the function that unmarks it. */
export function trainingLoopStarted(): () => void {
  activeLoops++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    activeLoops--;
    if (activeLoops === 0) pendingNan = false; // an armed fault never outlives the run it was meant for
  };
}

/**
 * Called by the training loop between steps: when a test armed 'nan', adds NaN to the first element of the
 * generator's first trainable weight (the rest of the weight is untouched). Returns whether it did.
 */
export function applyPendingFault(state: GanState): boolean {
  if (!pendingNan) return false;
  pendingNan = false;
  const v = state.G.trainableVariables()[0];
  if (!v) throw new Error('inject-fault nan: the generator has no trainable weights');
  tf.tidy(() => {
    const poison = new Float32Array(v.size);
    poison[0] = NaN;
    v.assign(tf.add(v, tf.tensor(poison, v.shape, 'float32')));
  });
  return true;
}
