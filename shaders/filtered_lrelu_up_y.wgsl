// Filtered leaky ReLU, upsampling along y and the activation (forward pass 2 of 4): the temporary
// t[n, ty, tx] = activate(sum over taps of upTap * u[n, iy, tx]) * outScale. Input: u for one chunk
// [nb, inH, tmpW, C]. Output: t [nb, tmpH, tmpW, C], or, when the down filter is a single tap with down = 1
// (ToRGB layers), the final output directly (at resultBase; the down passes are skipped).
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring rows ty0 .. ty0 + 3, loading each input row they share once (see
// filtered_lrelu_up_x.wgsl): 8 loads instead of 24 for 12 taps at up 2, same summation order.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let yBlocks = ceilDiv(uniforms.tmpH, 4);
  let c = index % cv;
  let p = index / cv;
  let tx = p % uniforms.tmpW;
  let q = p / uniforms.tmpW;
  let ty0 = (q % yBlocks) * 4;
  let nLocal = q / yBlocks;
  let up = uniforms.up;
  let r = upBlockRange(ty0, uniforms.padTop, uniforms.inH);
  let stride = uniforms.tmpW * cv;
  var idx = ((nLocal * uniforms.inH + r.x) * uniforms.tmpW + tx) * cv + c;
  var a = r.x * up + uniforms.padTop - ty0;  // tap of output ty0; output ty0 + k uses a - k
  var acc0 = ChannelVec(0.0);
  var acc1 = ChannelVec(0.0);
  var acc2 = ChannelVec(0.0);
  var acc3 = ChannelVec(0.0);
  for (var i = r.x; i <= r.y; i++) {
    let v = u[idx];
    acc0 += upTap(a) * v;
    acc1 += upTap(a - 1) * v;
    acc2 += upTap(a - 2) * v;
    acc3 += upTap(a - 3) * v;
    idx += stride;
    a += up;
  }
  let s = uniforms.outScale;
  let o = uniforms.resultBase + ((nLocal * uniforms.tmpH + ty0) * uniforms.tmpW + tx) * cv + c;
  result[o] = activate(acc0) * s;
  if (ty0 + 1 < uniforms.tmpH) { result[o + stride] = activate(acc1) * s; }
  if (ty0 + 2 < uniforms.tmpH) { result[o + 2 * stride] = activate(acc2) * s; }
  if (ty0 + 3 < uniforms.tmpH) { result[o + 3 * stride] = activate(acc3) * s; }
}
