/**
 * What the autotune chose, in words, for the System view and the run card: which program runs each op
 * family on this adapter. Pure, so both places say the same thing.
 */
import type { AutotuneReport } from './autotune.ts';
import type { KernelTuning } from './kernels/switch.ts';

export interface TuningLine {
  op: string;
  /** The program that runs it. */
  choice: string;
  /** The measured times behind the choice (ms), when measured in this start. */
  measured: string | null;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

export function tuningLines(t: KernelTuning, m: AutotuneReport['measured']): TuningLine[] {
  const ours = (blocked: boolean, naive = false) => (blocked ? 'ours, register-blocked' : naive ? 'ours, one invocation per output' : 'tfjs tiled (default)');
  return [
    { op: 'convolution', choice: ours(t.blockedConv2d, t.naiveConv2d), measured: m ? `tfjs ${ms(m.conv2d.tiled)}, ours ${ms(m.conv2d.naive)} / blocked ${ms(m.conv2d.blocked)}` : null },
    { op: 'its input gradient', choice: ours(t.blockedConvGradInput), measured: m ? `tfjs ${ms(m.convGradInput.tiled)}, blocked ${ms(m.convGradInput.blocked)}` : null },
    { op: 'its filter gradient', choice: ours(t.blockedConvGradFilter), measured: m ? `tfjs ${ms(m.convGradFilter.tiled)}, blocked ${ms(m.convGradFilter.blocked)}` : null },
    { op: 'matrix product', choice: ours(t.blockedMatMul, t.naiveMatMul), measured: m ? `tfjs ${ms(m.matmul.tiled)}, ours ${ms(m.matmul.naive)} / blocked ${ms(m.matmul.blocked)}` : null },
    { op: 'sum and mean', choice: t.flatReduce ? 'ours, barrier-free' : 'tfjs tree reduction (default)', measured: m ? `tfjs ${ms(m.reduce.tiled)}, ours ${ms(m.reduce.flat)}` : null },
  ];
}
