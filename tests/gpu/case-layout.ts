/**
 * The uniform layout test: each kernel's TS field list (what the kernel packs, via packUniforms) against the
 * struct its .wgsl file declares: same names, types and order, and the same byte offsets under WGSL's layout
 * rules and under tfjs-webgpu's packing (which follows the preceding entries, so several start offsets).
 */
import { ADAM_UNIFORMS, ADAM_WGSL } from '../../src/gpu/kernels/adam-update.ts';
import { SGD_UNIFORMS, SGD_WGSL } from '../../src/gpu/kernels/sgd-update.ts';
import { EMA_LERP_UNIFORMS, EMA_LERP_WGSL } from '../../src/gpu/kernels/ema-lerp.ts';
import { BIAS_ACT_UNIFORMS, BIAS_ACT_WGSL } from '../../src/gpu/kernels/bias-act.ts';
import { CHANNEL_SUM_UNIFORMS, CHANNEL_SUM_WGSL } from '../../src/gpu/kernels/channel-sum.ts';
import { MATMUL_UNIFORMS, MATMUL_WGSL } from '../../src/gpu/kernels/matmul-naive.ts';
import { CONV2D_UNIFORMS, CONV2D_WGSL } from '../../src/gpu/kernels/conv2d-naive.ts';
import { REDUCE_UNIFORMS, REDUCE_WGSL } from '../../src/gpu/kernels/reduce.ts';
import { MATMUL_BLOCK_UNIFORMS, MATMUL_BLOCK_WGSL } from '../../src/gpu/kernels/matmul-block.ts';
import {
  CONV2D_BLOCK_UNIFORMS,
  CONV2D_BLOCK_WGSL,
  CONV2D_GRAD_FILTER_UNIFORMS,
  CONV2D_GRAD_FILTER_WGSL,
  CONV2D_GRAD_INPUT_UNIFORMS,
  CONV2D_GRAD_INPUT_WGSL,
} from '../../src/gpu/kernels/conv2d-block.ts';
import { DEMOD_UNIFORMS, DEMOD_WGSL } from '../../src/gpu/kernels/modulated-conv-dcoef.ts';
import { FILTERED_LRELU_UNIFORMS, FILTERED_LRELU_WGSL } from '../../src/gpu/kernels/filtered-lrelu.ts';
import { SELECTIVE_SCAN_UNIFORMS, SELECTIVE_SCAN_WGSL } from '../../src/gpu/kernels/selective-scan.ts';
import {
  packUniforms,
  parseWgslStruct,
  tfjsPackedOffsets,
  wgslOffsets,
  wgslType,
  type UniformField,
  type UniformValues,
} from '../../src/gpu/kernels/uniforms.ts';
import type { CaseResult } from './types.ts';

function zeroValues<F extends readonly UniformField[]>(fields: F): UniformValues<F> {
  return Object.fromEntries(fields.map((f) => [f.name, f.type === 'vec4f-array' ? [] : 0])) as UniformValues<F>;
}

function layoutCase<F extends readonly UniformField[]>(name: string, structName: string, fields: F, programs: Record<string, string>): CaseResult {
  const problems: string[] = [];
  const declared = parseWgslStruct(Object.values(programs)[0] ?? '', structName);
  if (declared.length !== fields.length) problems.push(`WGSL declares ${declared.length} fields, TS ${fields.length}`);
  fields.forEach((f, i) => {
    const d = declared[i];
    if (!d || d.name !== f.name || d.type !== wgslType(f)) problems.push(`field ${i}: TS ${f.name}: ${wgslType(f)} vs WGSL ${d ? `${d.name}: ${d.type}` : 'none'}`);
  });
  const entries = packUniforms(fields, zeroValues(fields));
  for (const start of [0, 4, 8, 12, 16]) {
    const a = wgslOffsets(fields, start);
    const b = tfjsPackedOffsets(entries, fields, start);
    if (a.join() !== b.join()) problems.push(`offsets after ${start} bytes differ: WGSL ${a.join()} vs tfjs ${b.join()}`);
  }
  for (const [key, code] of Object.entries(programs)) {
    if (!/fn\s+main\s*\(\s*index\s*:\s*i32\s*\)/.test(code)) problems.push(`${key}: no fn main(index : i32)`);
    if (parseWgslStruct(code, structName).length !== declared.length) problems.push(`${key}: struct differs`);
  }
  return {
    name: `uniform layout: ${name}`,
    passed: problems.length === 0,
    errors: { mismatches: problems.length },
    tolerance: 0,
    kernelUsed: null,
    leakedTensors: 0,
    leakedDataIds: 0,
    detail: problems.join('; ') || `${fields.length} fields match`,
  };
}

export function layoutCases(): CaseResult[] {
  // Every compiled program (the `common` entries are parts of them, not programs).
  const programs = (all: Record<string, string>) => Object.fromEntries(Object.entries(all).filter(([k]) => k !== 'common'));
  const flPrograms = programs(FILTERED_LRELU_WGSL);
  const dPrograms = programs(DEMOD_WGSL);
  return [
    layoutCase('filtered lrelu', 'FilteredLreluParams', FILTERED_LRELU_UNIFORMS, flPrograms),
    layoutCase('demodulation coefficients', 'DemodParams', DEMOD_UNIFORMS, dPrograms),
    layoutCase('bias act', 'BiasActParams', BIAS_ACT_UNIFORMS, programs(BIAS_ACT_WGSL)),
    layoutCase('channel sum', 'ChannelSumParams', CHANNEL_SUM_UNIFORMS, CHANNEL_SUM_WGSL),
    layoutCase('naive matmul', 'MatMulParams', MATMUL_UNIFORMS, MATMUL_WGSL),
    layoutCase('naive conv2d', 'Conv2dParams', CONV2D_UNIFORMS, CONV2D_WGSL),
    layoutCase('blocked matmul', 'MatMulBlockParams', MATMUL_BLOCK_UNIFORMS, MATMUL_BLOCK_WGSL),
    layoutCase('flat reduce', 'ReduceRowsParams', REDUCE_UNIFORMS, REDUCE_WGSL),
    layoutCase('blocked conv2d', 'Conv2dBlockParams', CONV2D_BLOCK_UNIFORMS, CONV2D_BLOCK_WGSL),
    layoutCase('blocked conv2d input gradient', 'Conv2dGradInputParams', CONV2D_GRAD_INPUT_UNIFORMS, CONV2D_GRAD_INPUT_WGSL),
    layoutCase('blocked conv2d filter gradient', 'Conv2dGradFilterParams', CONV2D_GRAD_FILTER_UNIFORMS, CONV2D_GRAD_FILTER_WGSL),
    layoutCase('fused adam', 'AdamParams', ADAM_UNIFORMS, programs(ADAM_WGSL)),
    layoutCase('fused sgd', 'SgdParams', SGD_UNIFORMS, programs(SGD_WGSL)),
    layoutCase('ema lerp', 'EmaLerpParams', EMA_LERP_UNIFORMS, EMA_LERP_WGSL),
    layoutCase('selective scan', 'SelectiveScanParams', SELECTIVE_SCAN_UNIFORMS, programs(SELECTIVE_SCAN_WGSL)),
  ];
}
