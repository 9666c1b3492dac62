// conv2d_grad_input_block.wgsl for channel counts that are multiples of 4: dy, the filter and dx are arrays of
// vec4 along the channels. Per 4 output channels and tap an invocation loads 4 dy vec4 (its 4 pixels) and 4
// filter vec4 (its 4 input channels x 4 output channels, contiguous in the filter's layout) and takes 16 dot
// products (64 multiply-adds).

// The program-defined uniforms, in order (the scalar program's struct, conv2d_grad_input_block.wgsl);
// channel counts are in floats. Matched by src/gpu/kernels/conv2d-block.ts.
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
  cBlocks : i32,    // inC / 4
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let inC4 = uniforms.inC / 4;
  let outC4 = uniforms.outC / 4;
  let sw = uniforms.strideW;
  let sh = uniforms.strideH;
  let cb = index % uniforms.cBlocks;
  var rest = index / uniforms.cBlocks;
  let xb = rest % uniforms.xBlocks;
  rest = rest / uniforms.xBlocks;
  let iy = rest % uniforms.inH;
  let n = rest / uniforms.inH;
  // 4 input columns of one stride phase (see conv2d_grad_input_block.wgsl).
  let ix0 = (xb / sw) * 4 * sw + xb % sw;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let last = uniforms.outW - 1;
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
      if (tx % sw != 0) {
        continue;
      }
      let ox0 = tx / sw;
      let m = vec4<f32>(
        select(0.0, 1.0, ox0 >= 0 && ox0 < uniforms.outW),
        select(0.0, 1.0, ox0 + 1 >= 0 && ox0 + 1 < uniforms.outW),
        select(0.0, 1.0, ox0 + 2 >= 0 && ox0 + 2 < uniforms.outW),
        select(0.0, 1.0, ox0 + 3 >= 0 && ox0 + 3 < uniforms.outW));
      if (all(m == vec4<f32>(0.0))) {
        continue;
      }
      var d0 = (rowBase + clamp(ox0, 0, last)) * outC4;
      var d1 = (rowBase + clamp(ox0 + 1, 0, last)) * outC4;
      var d2 = (rowBase + clamp(ox0 + 2, 0, last)) * outC4;
      var d3 = (rowBase + clamp(ox0 + 3, 0, last)) * outC4;
      var wi = ((ky * uniforms.kw + kx) * uniforms.inC + cb * 4) * outC4;
      for (var c4 = 0; c4 < outC4; c4++) {
        let w0 = W[wi];
        let w1 = W[wi + outC4];
        let w2 = W[wi + 2 * outC4];
        let w3 = W[wi + 3 * outC4];
        let v0 = dy[d0] * m.x;
        let v1 = dy[d1] * m.y;
        let v2 = dy[d2] * m.z;
        let v3 = dy[d3] * m.w;
        acc0 += vec4<f32>(dot(v0, w0), dot(v0, w1), dot(v0, w2), dot(v0, w3));
        acc1 += vec4<f32>(dot(v1, w0), dot(v1, w1), dot(v1, w2), dot(v1, w3));
        acc2 += vec4<f32>(dot(v2, w0), dot(v2, w1), dot(v2, w2), dot(v2, w3));
        acc3 += vec4<f32>(dot(v3, w0), dot(v3, w1), dot(v3, w2), dot(v3, w3));
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
    result[((n * uniforms.inH + iy) * uniforms.inW + ix) * inC4 + cb] = accs[j];
  }
}
