// 2-D convolution (NHWC, filter [kh, kw, Cin, Cout], any stride and zero padding, no dilation) without
// workgroup memory: one invocation per output element, looping over taps and input channels. For CPU
// implementations of WebGPU, where tfjs's tiled program spends its time in barriers (see matmul_naive.wgsl).
// Chosen per adapter by the autotune (src/gpu/autotune.ts).

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/conv2d-naive.ts must match field for field
// (checked by the GPU test page).
struct Conv2dParams {
  count : i32,      // N * outH * outW * Cout
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
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let co = index % uniforms.outC;
  var rest = index / uniforms.outC;
  let ox = rest % uniforms.outW;
  rest = rest / uniforms.outW;
  let oy = rest % uniforms.outH;
  let n = rest / uniforms.outH;
  let inC = uniforms.inC;
  let outC = uniforms.outC;
  var acc = 0.0;
  for (var ky = 0; ky < uniforms.kh; ky++) {
    let iy = oy * uniforms.strideH - uniforms.padTop + ky;
    if (iy < 0 || iy >= uniforms.inH) {
      continue;
    }
    for (var kx = 0; kx < uniforms.kw; kx++) {
      let ix = ox * uniforms.strideW - uniforms.padLeft + kx;
      if (ix < 0 || ix >= uniforms.inW) {
        continue;
      }
      var xi = ((n * uniforms.inH + iy) * uniforms.inW + ix) * inC;
      var wi = (ky * uniforms.kw + kx) * inC * outC + co;
      for (var ci = 0; ci < inC; ci++) {
        acc += x[xi] * W[wi];
        xi += 1;
        wi += outC;
      }
    }
  }
  result[index] = acc;
}
