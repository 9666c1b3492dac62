/**
 * Watches the WebGPU device tfjs trains on. When the GPU is lost (driver reset, GPU removed, the browser
 * reclaiming it), every later tfjs call on it fails; training must stop at once, keep its last good
 * checkpoint, and tell the user why. Other backends have no such event.
 *
 * A lost device is never replaced in this worker: tfjs's WebGPU backend holds it for the worker's life, so
 * the only recovery is a page reload (a new worker asks for a new device).
 */
import * as tf from '@tensorflow/tfjs';

export interface DeviceHealth {
  lost: boolean;
  /** What happened, as a sentence for the user (empty while the device is healthy). */
  reason: string;
}

const health: DeviceHealth = { lost: false, reason: '' };
let watched: GPUDevice | null = null;
let lostEvent: Promise<void> | null = null;
const listeners: ((h: DeviceHealth) => void)[] = [];

/** Starts watching the current backend's device (idempotent); returns the live health record. */
export function watchDevice(): DeviceHealth {
  if (tf.getBackend() !== 'webgpu') return health;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (device && device !== watched) {
    watched = device;
    lostEvent = device.lost.then((info) => {
      health.lost = true;
      // info.reason is 'destroyed' (someone called destroy(), e.g. the test-only fault injection) or 'unknown'
      // (a driver reset, the GPU removed); the browser's own words follow where it gives any.
      const detail = info.message?.trim().replace(/\.$/, '');
      health.reason = `The GPU device was lost${detail ? `: ${detail}` : info.reason === 'destroyed' ? ' (destroyed)' : ''}`;
      for (const l of listeners) l(health);
    });
  }
  return health;
}

/** Calls `listener` once the watched device is lost (watch it first with watchDevice()). */
export function onDeviceLost(listener: (h: DeviceHealth) => void): void {
  listeners.push(listener);
}

/**
 * Whether the device is lost, waiting up to `ms` for the loss to be reported. A GPU call that fails because
 * of a loss (a readback rejected) can settle before GPUDevice.lost resolves: a caller deciding what an error
 * means waits this long before calling it an ordinary failure.
 */
export async function lostWithin(ms: number): Promise<boolean> {
  if (health.lost || !lostEvent) return health.lost;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([lostEvent, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
  return health.lost;
}
