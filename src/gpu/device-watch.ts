/**
 * Watches the WebGPU device tfjs trains on. When the GPU is lost (driver reset, GPU removed, the browser
 * reclaiming it), every later tfjs call on it fails; training must stop at once, keep its last good
 * checkpoint, and tell the user why. Other backends have no such event.
 */
import * as tf from '@tensorflow/tfjs';

export interface DeviceHealth {
  lost: boolean;
  reason: string;
}

const health: DeviceHealth = { lost: false, reason: '' };
let watched: GPUDevice | null = null;

/** Starts watching the current backend's device (idempotent); returns the live health record. */
export function watchDevice(): DeviceHealth {
  if (tf.getBackend() !== 'webgpu') return health;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (device && device !== watched) {
    watched = device;
    void device.lost.then((info) => {
      health.lost = true;
      health.reason = `${info.reason === 'destroyed' ? 'the GPU device was destroyed' : 'the GPU device was lost'}${info.message ? `: ${info.message}` : ''}`;
    });
  }
  return health;
}
