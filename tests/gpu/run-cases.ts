/**
 * Every GPU kernel comparison case, in one list: run by the browser test page (main.ts, through Playwright)
 * and by the Node device harness (bench/device), so a real GPU runs exactly the cases CI runs on software.
 */
import { layoutCases } from './case-layout.ts';
import { dispatchCases } from './case-dispatch.ts';
import { r1DoubleGradCase } from './case-r1.ts';
import { EXTRACTOR_EPOCH_CASE_NAME, extractorEpochCase } from './case-extractor-epoch.ts';
import { adamCases } from './cases-adam.ts';
import { scheduledOptimizerCases } from './cases-scheduled-optimizer.ts';
import { biasActCases, biasActNanCase, biasActSecondOrderCase } from './cases-bias-act.ts';
import { channelSumCases } from './cases-channel-sum.ts';
import { CONV_BLOCK_CASE_PREFIX, convBlockCases } from './cases-conv-block.ts';
import { REDUCE_CASE_PREFIX, reduceCases } from './cases-reduce.ts';
import { dcoefCases } from './cases-dcoef.ts';
import { filteredLreluCases } from './cases-filtered-lrelu.ts';
import { selectiveScanCases, VMUNET_CASE_NAME, vmunetKernelCase } from './cases-selective-scan.ts';
import { runOpCase } from './harness.ts';
import { tuningCases } from './cases-tuning.ts';
import type { CaseResult } from './types.ts';

/** `only`: run just the cases whose name contains it ('' = all), e.g. 'selective scan'. */
export async function runGpuCases(only = ''): Promise<CaseResult[]> {
  const keep = (name: string): boolean => name.includes(only);
  const results: CaseResult[] = layoutCases().filter((r) => keep(r.name));
  const opCases = [...filteredLreluCases(), ...dcoefCases(), ...biasActCases(), ...channelSumCases(), ...selectiveScanCases()];
  for (const c of opCases.filter((c) => keep(c.name))) results.push(await runOpCase(c));
  if (!only) {
    results.push(...(await dispatchCases()));
    results.push(await r1DoubleGradCase());
    results.push(await biasActSecondOrderCase());
    results.push(await biasActNanCase());
    results.push(...(await tuningCases()));
  }
  // The blocked convolutions compare whole ops (forward and gradients) and are named after the fact, so the
  // group runs when the filter could match one of its names (any text inside or around the common prefix).
  if (CONV_BLOCK_CASE_PREFIX.includes(only) || only.startsWith(CONV_BLOCK_CASE_PREFIX)) {
    results.push(...(await convBlockCases()).filter((r) => keep(r.name)));
  }
  if (REDUCE_CASE_PREFIX.includes(only) || only.startsWith(REDUCE_CASE_PREFIX)) {
    results.push(...(await reduceCases()).filter((r) => keep(r.name)));
  }
  // Optimizer and EMA updates: a second or so, so they run for any filter and are kept by name.
  results.push(...(await adamCases()).filter((r) => keep(r.name)));
  results.push(...(await scheduledOptimizerCases()).filter((r) => keep(r.name)));
  if (keep(VMUNET_CASE_NAME)) results.push(await vmunetKernelCase());
  if (keep(EXTRACTOR_EPOCH_CASE_NAME)) results.push(await extractorEpochCase());
  return results;
}

