// Input gradient of a 2-D convolution (tfjs's Conv2DBackpropInput: dy [N, outH, outW, Cout] and the filter
// [kh, kw, Cin, Cout] -> dx [N, inH, inW, Cin]), register blocked and barrier-free like conv2d_block.wgsl:
// one invocation computes 4 input channels of 4 input pixels, 16 sums, loading 4 dy values and 4 filter
// values per (tap, output channel).
//
//   dx[n, iy, ix, ci] = sum over ky, kx, co with oy * strideH - padTop + ky = iy (and the same along x)
//                       of dy[n, oy, ox, co] * W[ky, kx, ci, co]
//
// With a stride, only taps of one phase reach a given input pixel, so the 4 pixels of a block are spaced by
// strideW (ix0, ix0 + strideW, ...): then every tap either reaches all of them or none, and the inner loop has
// no branches. Blocks cover the columns of one phase each: block b is phase b % strideW, group b / strideW.

// The program-defined uniforms, in order (see conv2d_block.wgsl); matched by src/gpu/kernels/conv2d-block.ts.
struct Conv2dGradInputParams {
  count : i32,      // N * inH * xBlocks * cBlocks
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
  xBlocks : i32,    // strideW * ceil(ceil(inW / strideW) / 4)
  cBlocks : i32,    // ceil(inC / 4)
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let inC = uniforms.inC;
  let outC = uniforms.outC;
  let sw = uniforms.strideW;
  let sh = uniforms.strideH;
  let ci = (index % uniforms.cBlocks) * 4;
  var rest = index / uniforms.cBlocks;
  let xb = rest % uniforms.xBlocks;
  rest = rest / uniforms.xBlocks;
  let iy = rest % uniforms.inH;
  let n = rest / uniforms.inH;
  let ix0 = (xb / sw) * 4 * sw + xb % sw;
  // Filter offsets of the 4 input channels (a filter row per input channel), clamped to the last channel.
  let e1 = (min(ci + 1, inC - 1) - ci) * outC;
  let e2 = (min(ci + 2, inC - 1) - ci) * outC;
  let e3 = (min(ci + 3, inC - 1) - ci) * outC;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var ky = 0; ky < uniforms.kh; ky++) {
    let ty = iy + uniforms.padTop - ky;
    if (ty < 0 || ty % sh != 0) {
      continue;
    }
    let oy = ty / sh;
    if (oy >= uniforms.outH) {
      continue;
    }
    let rowBase = (n * uniforms.outH + oy) * uniforms.outW;
    for (var kx = 0; kx < uniforms.kw; kx++) {
      let tx = ix0 + uniforms.padLeft - kx;
      // Same remainder for all 4 pixels (they are strideW apart); a negative tx with remainder 0 is fine.
      if (tx % sw != 0) {
        continue;
      }
      let ox0 = tx / sw;
      let ox1 = ox0 + 1;
      let ox2 = ox0 + 2;
      let ox3 = ox0 + 3;
      let m = vec4<f32>(
        select(0.0, 1.0, ox0 >= 0 && ox0 < uniforms.outW),
        select(0.0, 1.0, ox1 >= 0 && ox1 < uniforms.outW),
        select(0.0, 1.0, ox2 >= 0 && ox2 < uniforms.outW),
        select(0.0, 1.0, ox3 >= 0 && ox3 < uniforms.outW));
      if (all(m == vec4<f32>(0.0))) {
        continue;
      }
      let last = uniforms.outW - 1;
      var d0 = (rowBase + clamp(ox0, 0, last)) * outC;
      var d1 = (rowBase + clamp(ox1, 0, last)) * outC;
      var d2 = (rowBase + clamp(ox2, 0, last)) * outC;
      var d3 = (rowBase + clamp(ox3, 0, last)) * outC;
      var wi = ((ky * uniforms.kw + kx) * inC + ci) * outC;
      for (var co = 0; co < outC; co++) {
        let w = vec4<f32>(W[wi], W[wi + e1], W[wi + e2], W[wi + e3]);
        let dv = vec4<f32>(dy[d0], dy[d1], dy[d2], dy[d3]) * m;
        acc0 += dv.x * w;
        acc1 += dv.y * w;
        acc2 += dv.z * w;
        acc3 += dv.w * w;
        d0 += 1;
        d1 += 1;
        d2 += 1;
        d3 += 1;
        wi += 1;
      }
    }
  }
  var accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0; j < 4; j++) {
    let ix = ix0 + j * sw;
    if (ix >= uniforms.inW) {
      break;
    }
    let o = ((n * uniforms.inH + iy) * uniforms.inW + ix) * inC + ci;
    let a = accs[j];
    result[o] = a.x;
    if (ci + 1 < inC) { result[o + 1] = a.y; }
    if (ci + 2 < inC) { result[o + 2] = a.z; }
    if (ci + 3 < inC) { result[o + 3] = a.w; }
  }
}
