// conv2d_block.wgsl for channel counts that are multiples of 4 (every convolution of the GAN's hidden
// layers): x, the filter and the output are arrays of vec4 along the channels, so one load moves 4 channels.
// Per 4 input channels and tap an invocation loads 4 input vec4 (4 pixels) and 4 filter vec4 (4 input
// channels x its 4 output channels) for 64 multiply-adds, where the scalar program loads 32 floats. On
// SwiftShader a vec4 load costs about what a scalar one does, so this is the form it runs fastest.

// The program-defined uniforms, in order (the scalar program's struct, conv2d_block.wgsl); channel counts
// are in floats, the shader divides by 4. Matched by src/gpu/kernels/conv2d-block.ts.
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
  cBlocks : i32,    // outC / 4
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let inC4 = uniforms.inC / 4;
  let outC4 = uniforms.outC / 4;
  let cb = index % uniforms.cBlocks;
  var rest = index / uniforms.cBlocks;
  let ox0 = (rest % uniforms.xBlocks) * 4;
  rest = rest / uniforms.xBlocks;
  let oy = rest % uniforms.outH;
  let n = rest / uniforms.outH;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  let sw = uniforms.strideW;
  let last = uniforms.inW - 1;
  for (var ky = 0; ky < uniforms.kh; ky++) {
    let iy = oy * uniforms.strideH - uniforms.padTop + ky;
    if (iy < 0 || iy >= uniforms.inH) {
      continue;
    }
    let rowBase = (n * uniforms.inH + iy) * uniforms.inW;
    for (var kx = 0; kx < uniforms.kw; kx++) {
      let ix0 = ox0 * sw - uniforms.padLeft + kx;
      let ix1 = ix0 + sw;
      let ix2 = ix1 + sw;
      let ix3 = ix2 + sw;
      // Columns outside the image contribute zero (mask m); their loads are clamped into range.
      let m = vec4<f32>(
        select(0.0, 1.0, ix0 >= 0 && ix0 < uniforms.inW),
        select(0.0, 1.0, ix1 >= 0 && ix1 < uniforms.inW),
        select(0.0, 1.0, ix2 >= 0 && ix2 < uniforms.inW),
        select(0.0, 1.0, ix3 >= 0 && ix3 < uniforms.inW));
      var x0 = (rowBase + clamp(ix0, 0, last)) * inC4;
      var x1 = (rowBase + clamp(ix1, 0, last)) * inC4;
      var x2 = (rowBase + clamp(ix2, 0, last)) * inC4;
      var x3 = (rowBase + clamp(ix3, 0, last)) * inC4;
      // Filter row of input channel 4*c4 + j, output channels 4*cb .. 4*cb + 3: W[wi + j * outC4].
      var wi = (ky * uniforms.kw + kx) * uniforms.inC * outC4 + cb;
      for (var c4 = 0; c4 < inC4; c4++) {
        let w0 = W[wi];
        let w1 = W[wi + outC4];
        let w2 = W[wi + 2 * outC4];
        let w3 = W[wi + 3 * outC4];
        let v0 = x[x0] * m.x;
        let v1 = x[x1] * m.y;
        let v2 = x[x2] * m.z;
        let v3 = x[x3] * m.w;
        acc0 += v0.x * w0 + v0.y * w1 + v0.z * w2 + v0.w * w3;
        acc1 += v1.x * w0 + v1.y * w1 + v1.z * w2 + v1.w * w3;
        acc2 += v2.x * w0 + v2.y * w1 + v2.z * w2 + v2.w * w3;
        acc3 += v3.x * w0 + v3.y * w1 + v3.z * w2 + v3.w * w3;
        x0 += 1;
        x1 += 1;
        x2 += 1;
        x3 += 1;
        wi += 4 * outC4;
      }
    }
  }
  // Output pixels past the right edge are not written.
  let o = ((n * uniforms.outH + oy) * uniforms.outW + ox0) * outC4 + cb;
  result[o] = acc0;
  if (ox0 + 1 < uniforms.outW) { result[o + outC4] = acc1; }
  if (ox0 + 2 < uniforms.outW) { result[o + 2 * outC4] = acc2; }
  if (ox0 + 3 < uniforms.outW) { result[o + 3 * outC4] = acc3; }
}
