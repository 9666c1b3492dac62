/**
 * The small common part of our tfjs-webgpu programs and kernel functions.
 *
 * How tfjs-webgpu 4.22 runs a program (webgpu_program.js `makeShader`, backend_webgpu.js
 * `runWebGPUProgram`): it prepends a prelude that declares `result` (binding 0, the output, read_write),
 * one read-only storage array per name in `variableNames` (bindings 1..), and `uniforms` (its own shape
 * and stride fields, then `program.uniforms`), plus helpers such as `getCoordsFromIndex`. It appends an
 * entry point `_start` that calls the user's `fn main(index : i32)` with a linear invocation index when the
 * dispatch layout is flat. So each .wgsl file defines `fn main(index : i32)` and uses only `result`,
 * its inputs by name and `uniforms.<field>`: no placeholder substitution is needed.
 *
 * Rules kept for both adapters (SwiftShader and Mesa's compatibility mode): 64 invocations per workgroup
 * (compat caps workgroups at 128), at most 4 storage buffers per program including the output (the compat
 * default for maxStorageBuffersPerShaderStage, which tfjs does not raise), f32 only, no subgroups.
 * Shapes and attributes travel in uniforms, so the pipeline cache key (shaderKey plus ranks and dtypes that
 * tfjs appends) does not change with the batch size.
 */
import * as tf from '@tensorflow/tfjs';
import { WebGPUBackend, webgpu_util, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { uniformDeclaration, type UniformField } from './uniforms.ts';

export const WORKGROUP_SIZE: [number, number, number] = [64, 1, 1];
/** Compat mode's default; tfjs requests no more. Output included. */
export const MAX_STORAGE_BUFFERS = 4;

export interface SsgProgramSpec {
  /** Cache key stem; one per distinct WGSL text. */
  key: string;
  /** WGSL user code: defines `fn main(index : i32)`. */
  code: string;
  variableNames: string[];
  /** Shape of the output tensor tfjs allocates when no output is passed to runWebGPUProgram. */
  outputShape: number[];
  /** Invocations with work; `main` must return early for index >= this (it is rounded up to workgroups). */
  invocations: number;
  uniforms: readonly UniformField[];
  /**
   * Floats per array element of the output and every input (tfjs's `outputComponent`): 4 declares them all
   * as array<vec4<f32>>, so each load moves 4 channels. Default 1.
   */
  components?: 1 | 4;
}

export function ssgProgram(spec: SsgProgramSpec): WebGPUProgram {
  if (spec.variableNames.length + 1 > MAX_STORAGE_BUFFERS) {
    throw new Error(`${spec.key}: ${spec.variableNames.length + 1} storage buffers exceed the compat limit ${MAX_STORAGE_BUFFERS}`);
  }
  return {
    variableNames: spec.variableNames,
    outputShape: spec.outputShape,
    shaderKey: `${spec.key}_c${spec.components ?? 1}`,
    outputComponent: spec.components ?? 1,
    uniforms: uniformDeclaration(spec.uniforms),
    workgroupSize: WORKGROUP_SIZE,
    // Flat layout: `_start` calls main(getGlobalIndex()); runWebGPUProgram reshapes the dispatch to 2-D
    // when it exceeds maxComputeWorkgroupsPerDimension and getGlobalIndex undoes that.
    dispatchLayout: webgpu_util.flatDispatchLayout(spec.outputShape),
    dispatch: webgpu_util.computeDispatch({ x: [0] }, [Math.max(1, spec.invocations)], WORKGROUP_SIZE),
    getUserCode: () => spec.code,
  };
}

/** Kernel functions receive `backend: {}`; this narrows it at run time instead of casting. */
export function webgpuBackendOf(backend: object): WebGPUBackend {
  if (!(backend instanceof WebGPUBackend)) throw new Error('SSG kernels run only on the webgpu backend');
  return backend;
}

/** The named input, checked for dtype float32 and (unless `rank` is negative) for its rank. */
export function requireInput(inputs: tf.NamedTensorInfoMap, name: string, rank: number): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`missing input ${name}`);
  if (rank >= 0 && t.shape.length !== rank) throw new Error(`input ${name} must have rank ${rank}, got [${t.shape.join(', ')}]`);
  if (t.dtype !== 'float32') throw new Error(`input ${name} must be float32, got ${t.dtype}`);
  return t;
}

export function numberAttr(attrs: tf.NamedAttrMap | undefined, name: string): number {
  const v = attrs?.[name];
  if (typeof v !== 'number') throw new Error(`attribute ${name} must be a number`);
  return v;
}

export function boolAttr(attrs: tf.NamedAttrMap | undefined, name: string): boolean {
  const v = attrs?.[name];
  if (typeof v !== 'boolean') throw new Error(`attribute ${name} must be a boolean`);
  return v;
}

export function numberArrayAttr(attrs: tf.NamedAttrMap | undefined, name: string): number[] {
  const v = attrs?.[name];
  if (!Array.isArray(v)) throw new Error(`attribute ${name} must be an array of numbers`);
  const out: number[] = [];
  for (const e of v) {
    if (typeof e !== 'number') throw new Error(`attribute ${name} must be an array of numbers`);
    out.push(e);
  }
  return out;
}

/** Largest storage binding the device allows (compat mode: 128 MiB), in bytes. */
export function maxBindingBytes(gpu: WebGPUBackend): number {
  return Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
}

/** Why an elementwise program over a flat float32 tensor of this shape cannot run here, or null when it can. */
export function flatUnsupportedReason(gpu: WebGPUBackend, shape: readonly number[]): string | null {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size < 1) return 'empty tensor';
  if (size * 4 > maxBindingBytes(gpu)) return 'tensor exceeds the storage binding limit';
  return null;
}
