/**
 * WebGPU for Node through Dawn's node bindings (npm `webgpu`, the `dawn.node` addon), installed as
 * `navigator.gpu` so tfjs-backend-webgpu registers and the app's kernels run unchanged. Must run before
 * tfjs-backend-webgpu is imported: it decides at import time whether WebGPU exists.
 *
 * On a machine with a GPU: Dawn's Vulkan backend, core feature level. On this project's CPU-only machine the
 * only adapter Dawn accepts is its OpenGL ES backend over Mesa llvmpipe in compatibility mode
 * (ENVIRONMENT.md), which is how the harness is checked before it is sent to a GPU.
 */
import { createRequire } from 'node:module';

export interface DawnOptions {
  /** Path of dawn.node. */
  addon: string;
  /** 'vulkan' (a real GPU) or 'opengles' (llvmpipe here). */
  backend: 'vulkan' | 'opengles';
}

export function installDawn(o: DawnOptions): void {
  const require = createRequire(import.meta.url);
  const dawn = require(o.addon) as { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  // GPUBufferUsage, GPUShaderStage, ... as the browser defines them.
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([`backend=${o.backend}`]);
  const featureLevel = o.backend === 'opengles' ? 'compatibility' : 'core';
  // tfjs asks only for a power preference; the feature level must be added for the compatibility adapter.
  // A plain object forwarding to the native one (its methods check their receiver).
  const wrapped = {
    requestAdapter: (opts: GPURequestAdapterOptions = {}) => gpu.requestAdapter({ featureLevel, ...opts } as GPURequestAdapterOptions),
    getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
    get wgslLanguageFeatures() {
      return gpu.wgslLanguageFeatures;
    },
  } as unknown as GPU;
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: wrapped, userAgent: `node/${process.versions.node} dawn.node` }, configurable: true, writable: true });
}
