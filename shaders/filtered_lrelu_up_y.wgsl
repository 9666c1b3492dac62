// Filtered leaky ReLU, upsampling along y and the activation (forward pass 2 of 4): the temporary
// t[n, ty, tx] = activate(sum over taps of upTap * u[n, iy, tx]) * outScale. Input: u for one chunk
// [nb, inH, tmpW, C]. Output: t [nb, tmpH, tmpW, C], or, when the down filter is a single tap with down = 1
// (ToRGB layers), the final output directly (at resultBase; the down passes are skipped).
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let c = index % cv;
  let p = index / cv;
  let tx = p % uniforms.tmpW;
  let q = p / uniforms.tmpW;
  let ty = q % uniforms.tmpH;
  let nLocal = q / uniforms.tmpH;
  let ry = tapRange(ty, uniforms.padTop, uniforms.inH);
  var idx = ((nLocal * uniforms.inH + ry.i0 + ry.j0) * uniforms.tmpW + tx) * cv + c;
  var a = ry.a0 + ry.j0 * uniforms.up;
  var acc = ChannelVec(0.0);
  for (var jy = ry.j0; jy < ry.j1; jy++) {
    acc += upTap(a) * u[idx];
    idx += uniforms.tmpW * cv;
    a += uniforms.up;
  }
  result[uniforms.resultBase + index] = activate(acc) * uniforms.outScale;
}
