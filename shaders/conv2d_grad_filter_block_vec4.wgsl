// conv2d_grad_filter_block.wgsl for channel counts that are multiples of 4: x, dy and the partial filters
// are arrays of vec4 along the channels. Per output pixel an invocation loads one x vec4 (its 4 input
// channels) and one dy vec4 (its 4 output channels) for 16 multiply-adds (an outer product).

// The program-defined uniforms, in order (the scalar program's struct, conv2d_grad_filter_block.wgsl);
// channel counts are in floats. Matched by src/gpu/kernels/conv2d-block.ts.
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
  ciBlocks : i32,      // inC / 4
  coBlocks : i32,      // outC / 4
  rowsPerSplit : i32,  // output rows (n, oy) per chunk
  rows : i32,          // N * outH output rows in all
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let inC4 = uniforms.inC / 4;
  let outC4 = uniforms.outC / 4;
  let sw = uniforms.strideW;
  let cb = index % uniforms.coBlocks;
  var rest = index / uniforms.coBlocks;
  let ib = rest % uniforms.ciBlocks;
  rest = rest / uniforms.ciBlocks;
  let taps = uniforms.kh * uniforms.kw;
  let tap = rest % taps;
  let split = rest / taps;
  let ky = tap / uniforms.kw;
  let kx = tap % uniforms.kw;
  // Output columns whose input column lies inside the image: [oxLo, oxHi).
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
  let xStep = sw * inC4;
  for (var r = r0; r < r1; r++) {
    let n = r / uniforms.outH;
    let oy = r % uniforms.outH;
    let iy = oy * uniforms.strideH - uniforms.padTop + ky;
    if (iy < 0 || iy >= uniforms.inH) {
      continue;
    }
    var xi = ((n * uniforms.inH + iy) * uniforms.inW + oxLo * sw - uniforms.padLeft + kx) * inC4 + ib;
    var di = ((n * uniforms.outH + oy) * uniforms.outW + oxLo) * outC4 + cb;
    for (var ox = oxLo; ox < oxHi; ox++) {
      let xv = x[xi];
      let dv = dy[di];
      acc0 += xv.x * dv;
      acc1 += xv.y * dv;
      acc2 += xv.z * dv;
      acc3 += xv.w * dv;
      xi += xStep;
      di += outC4;
    }
  }
  // Partial filter of this split: rows (ky, kx, 4 * ib + j), output channels 4 * cb .. 4 * cb + 3.
  let o = (split * taps * uniforms.inC + tap * uniforms.inC + ib * 4) * outC4 + cb;
  result[o] = acc0;
  result[o + outC4] = acc1;
  result[o + 2 * outC4] = acc2;
  result[o + 3 * outC4] = acc3;
}
