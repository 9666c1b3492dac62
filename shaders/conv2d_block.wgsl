// 2-D convolution (NHWC, filter [kh, kw, Cin, Cout], any stride and zero padding, no dilation), register
// blocked and barrier-free: one invocation computes 4 output channels of 4 neighbouring output pixels along x
// (16 sums). Per (tap, input channel) it loads 4 inputs and 4 filter values and does 16 multiply-adds, where
// the naive program (conv2d_naive.wgsl) does 2 loads per multiply-add. On CPU implementations of WebGPU
// (SwiftShader, lavapipe) every storage load is a bounds-checked per-lane access, so loads set the speed.
// Chosen per adapter by the autotune (src/gpu/autotune.ts).
//
// Channel counts that are not a multiple of 4 and pixel blocks that run past the edge are handled by clamping
// the load indices into range (so the inner loop has no branches) and not writing the extra lanes.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/conv2d-block.ts must match field for field
// (checked by the GPU test page).
struct Conv2dBlockParams {
  count : i32,      // N * outH * xBlocks * cBlocks
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
  xBlocks : i32,    // ceil(outW / 4)
  cBlocks : i32,    // ceil(outC / 4)
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let inC = uniforms.inC;
  let outC = uniforms.outC;
  let co = (index % uniforms.cBlocks) * 4;
  var rest = index / uniforms.cBlocks;
  let ox0 = (rest % uniforms.xBlocks) * 4;
  rest = rest / uniforms.xBlocks;
  let oy = rest % uniforms.outH;
  let n = rest / uniforms.outH;
  // Offsets of the 4 output channels within a filter row, clamped to the last channel.
  let d1 = min(co + 1, outC - 1) - co;
  let d2 = min(co + 2, outC - 1) - co;
  let d3 = min(co + 3, outC - 1) - co;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let sw = uniforms.strideW;
  for (var ky = 0; ky < uniforms.kh; ky++) {
    let iy = oy * uniforms.strideH - uniforms.padTop + ky;
    if (iy < 0 || iy >= uniforms.inH) {
      continue;
    }
    let rowBase = (n * uniforms.inH + iy) * uniforms.inW;
    for (var kx = 0; kx < uniforms.kw; kx++) {
      // The 4 input columns this tap reads; a column outside the image contributes zero (mask m).
      let ix0 = ox0 * sw - uniforms.padLeft + kx;
      let ix1 = ix0 + sw;
      let ix2 = ix1 + sw;
      let ix3 = ix2 + sw;
      let m = vec4<f32>(
        select(0.0, 1.0, ix0 >= 0 && ix0 < uniforms.inW),
        select(0.0, 1.0, ix1 >= 0 && ix1 < uniforms.inW),
        select(0.0, 1.0, ix2 >= 0 && ix2 < uniforms.inW),
        select(0.0, 1.0, ix3 >= 0 && ix3 < uniforms.inW));
      let last = uniforms.inW - 1;
      var x0 = (rowBase + clamp(ix0, 0, last)) * inC;
      var x1 = (rowBase + clamp(ix1, 0, last)) * inC;
      var x2 = (rowBase + clamp(ix2, 0, last)) * inC;
      var x3 = (rowBase + clamp(ix3, 0, last)) * inC;
      var wi = (ky * uniforms.kw + kx) * inC * outC + co;
      for (var ci = 0; ci < inC; ci++) {
        let w = vec4<f32>(W[wi], W[wi + d1], W[wi + d2], W[wi + d3]);
        let xv = vec4<f32>(x[x0], x[x1], x[x2], x[x3]) * m;
        acc0 += xv.x * w;
        acc1 += xv.y * w;
        acc2 += xv.z * w;
        acc3 += xv.w * w;
        x0 += 1;
        x1 += 1;
        x2 += 1;
        x3 += 1;
        wi += outC;
      }
    }
  }
  // Write the lanes that exist: 4 pixels x 4 channels, each checked against the edges.
  var accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0; j < 4; j++) {
    let ox = ox0 + j;
    if (ox >= uniforms.outW) {
      break;
    }
    let o = ((n * uniforms.outH + oy) * uniforms.outW + ox) * outC + co;
    let a = accs[j];
    result[o] = a.x;
    if (co + 1 < outC) { result[o + 1] = a.y; }
    if (co + 2 < outC) { result[o + 2] = a.z; }
    if (co + 3 < outC) { result[o + 3] = a.w; }
  }
}
