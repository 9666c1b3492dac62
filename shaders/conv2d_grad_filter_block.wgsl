// Filter gradient of a 2-D convolution (tfjs's Conv2DBackpropFilter: x [N, inH, inW, Cin] and dy
// [N, outH, outW, Cout] -> dW [kh, kw, Cin, Cout]), first of two barrier-free passes:
//
//   dW[ky, kx, ci, co] = sum over n, oy, ox of x[n, oy * strideH - padTop + ky, ox * strideW - padLeft + kx, ci]
//                                             * dy[n, oy, ox, co]
//
// The sum runs over every output pixel (16k terms for a 32 px batch of 16) while dW has only a few thousand
// entries, so one invocation per entry (tfjs's program) leaves a 2-core CPU with long serial loops and 2 loads
// per multiply-add. Here an invocation computes a 4 x 4 block (4 input x 4 output channels, 16 sums: 8 loads
// per 16 multiply-adds) over one chunk of the output rows (n, oy); `splits` chunks write partial filters
// [splits, kh, kw, Cin, Cout] that a second pass (channel_sum.wgsl over [splits, F]) adds up.

// The program-defined uniforms, in order (see conv2d_block.wgsl); matched by src/gpu/kernels/conv2d-block.ts.
struct Conv2dGradFilterParams {
  count : i32,         // splits * kh * kw * ciBlocks * coBlocks
  inH : i32,
  inW : i32,
  inC : i32,
  outH : i32,
  outW : i32,
  outC : i32,
  kh : i32,
  kw : i32,
  strideH : i32,
  strideW : i32,
  padTop : i32,
  padLeft : i32,
  ciBlocks : i32,      // ceil(inC / 4)
  coBlocks : i32,      // ceil(outC / 4)
  rowsPerSplit : i32,  // output rows (n, oy) per chunk
  rows : i32,          // N * outH output rows in all
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let inC = uniforms.inC;
  let outC = uniforms.outC;
  let sw = uniforms.strideW;
  let co = (index % uniforms.coBlocks) * 4;
  var rest = index / uniforms.coBlocks;
  let ci = (rest % uniforms.ciBlocks) * 4;
  rest = rest / uniforms.ciBlocks;
  let taps = uniforms.kh * uniforms.kw;
  let tap = rest % taps;
  let split = rest / taps;
  let ky = tap / uniforms.kw;
  let kx = tap % uniforms.kw;
  // Clamped channel offsets: every load stays in range, extra lanes are not written.
  let a1 = min(ci + 1, inC - 1) - ci;
  let a2 = min(ci + 2, inC - 1) - ci;
  let a3 = min(ci + 3, inC - 1) - ci;
  let b1 = min(co + 1, outC - 1) - co;
  let b2 = min(co + 2, outC - 1) - co;
  let b3 = min(co + 3, outC - 1) - co;
  // Output columns whose input column ox * strideW - padLeft + kx lies inside the image: [oxLo, oxHi).
  let lo = uniforms.padLeft - kx;
  let oxLo = select(0, (lo + sw - 1) / sw, lo > 0);
  let hi = uniforms.inW + uniforms.padLeft - kx - 1;
  let oxHi = select(0, min(uniforms.outW, hi / sw + 1), hi >= 0);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let r0 = split * uniforms.rowsPerSplit;
  let r1 = min(r0 + uniforms.rowsPerSplit, uniforms.rows);
  for (var r = r0; r < r1; r++) {
    let n = r / uniforms.outH;
    let oy = r % uniforms.outH;
    let iy = oy * uniforms.strideH - uniforms.padTop + ky;
    if (iy < 0 || iy >= uniforms.inH) {
      continue;
    }
    var xi = ((n * uniforms.inH + iy) * uniforms.inW + oxLo * sw - uniforms.padLeft + kx) * inC + ci;
    var di = ((n * uniforms.outH + oy) * uniforms.outW + oxLo) * outC + co;
    let xStep = sw * inC;
    for (var ox = oxLo; ox < oxHi; ox++) {
      let xv = vec4<f32>(x[xi], x[xi + a1], x[xi + a2], x[xi + a3]);
      let dv = vec4<f32>(dy[di], dy[di + b1], dy[di + b2], dy[di + b3]);
      acc0 += xv.x * dv;
      acc1 += xv.y * dv;
      acc2 += xv.z * dv;
      acc3 += xv.w * dv;
      xi += xStep;
      di += outC;
    }
  }
  // Partial filter of this split: [split, ky, kx, ci + j, co .. co + 3].
  var accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  let filterSize = taps * inC * outC;
  for (var j = 0; j < 4; j++) {
    if (ci + j >= inC) {
      break;
    }
    let o = split * filterSize + (tap * inC + ci + j) * outC + co;
    let a = accs[j];
    result[o] = a.x;
    if (co + 1 < outC) { result[o + 1] = a.y; }
    if (co + 2 < outC) { result[o + 2] = a.z; }
    if (co + 3 < outC) { result[o + 3] = a.w; }
  }
}
