/**
 * Floating-point work of one training iteration, counted from the kernels tf.profile saw run: the
 * convolutions (forward and both backward passes), matrix products and depthwise FIR convolutions, at
 * 2 FLOP per multiply-add. Elementwise ops are left out (they are bandwidth, not arithmetic), so this is
 * the work a roofline would call compute. Counted on the stock-ops path, where every op is a tfjs kernel
 * with known semantics. Our fused kernels do their own amount of work for the same result (the filtered
 * leaky ReLU skips the zeros its upsampling inserts), so GFLOP/s from this count are *effective* rates: the
 * stock model's arithmetic divided by the time taken.
 */
import type { ProfiledKernel } from './types.ts';

const prod = (shape: readonly number[] | undefined): number => (shape ?? []).reduce((a, b) => a * b, 1);

/** FLOPs of one kernel call; 0 for kernels that are not arithmetic-bound. */
export function kernelFlops(k: ProfiledKernel): number {
  const [a, b] = k.inputShapes;
  const out = k.outputShapes[0];
  switch (k.name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      // x [N,H,W,Ci], filter [kh,kw,Ci,Co] -> y [N,Ho,Wo,Co]: each output takes kh*kw*Ci multiply-adds.
      if (!b || !out || b.length !== 4) return 0;
      return 2 * prod(out) * b[0]! * b[1]! * b[2]!;
    }
    case 'Conv2DBackpropInput': {
      // dy [N,Ho,Wo,Co], filter [kh,kw,Ci,Co] -> dx: the forward's multiply-adds again.
      if (!a || !b || b.length !== 4) return 0;
      return 2 * prod(a) * b[0]! * b[1]! * b[2]!;
    }
    case 'Conv2DBackpropFilter': {
      // x, dy [N,Ho,Wo,Co] -> filter [kh,kw,Ci,Co]: again one multiply-add per (output, tap, input channel).
      if (!b || !out || out.length !== 4) return 0;
      return 2 * prod(b) * out[0]! * out[1]! * out[2]!;
    }
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2D': {
      // filter [kh,kw,C,mult]: kh*kw multiply-adds per output.
      if (!b || !out || b.length !== 4) return 0;
      return 2 * prod(out) * b[0]! * b[1]!;
    }
    case 'DepthwiseConv2dNativeBackpropInput':
    case 'DepthwiseConv2dNativeBackpropFilter': {
      // Either way, kh*kw multiply-adds per element of dy (the larger of the two dy-shaped operands).
      const filter = k.name.endsWith('Input') ? b : out;
      const dy = k.name.endsWith('Input') ? a : b;
      if (!filter || !dy || filter.length !== 4) return 0;
      return 2 * prod(dy) * filter[0]! * filter[1]!;
    }
    case 'BatchMatMul':
    case '_FusedMatMul':
    case 'MatMul': {
      // a [..,M,K] or [..,K,M] (transposed) -> out [..,M,N]: K is a's dimension that is not M.
      if (!a || !b || !out || out.length < 2 || a.length < 2) return 0;
      const m = out[out.length - 2]!;
      const kDim = a[a.length - 2] === m ? a[a.length - 1]! : a[a.length - 2]!;
      return 2 * prod(out) * kDim;
    }
    default:
      return 0;
  }
}

export function totalFlops(kernels: readonly ProfiledKernel[]): number {
  return kernels.reduce((s, k) => s + kernelFlops(k), 0);
}
