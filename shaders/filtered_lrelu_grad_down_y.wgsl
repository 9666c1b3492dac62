// Filtered leaky ReLU backward, the transposed down FIR along y times the activation's derivative (backward
// pass 3 of 5): the gradient at the temporary's positions
//   gt[n, ty, tx] = activateDerivative(v[n, ty, tx]) * sum over output rows oy reading ty of
//                   downTap(ty - oy * down) * hx[n, oy, tx],
// with the pre-activation v recomputed from u (the up pass along x, filtered_lrelu_up_x.wgsl) by the up taps
// along y rather than stored between forward and backward.
// Inputs: hx [nb, outH, tmpW, C] (filtered_lrelu_grad_down_x.wgsl), u [nb, inH, tmpW, C], both for one chunk.
// Output: gt [nb, tmpH, tmpW, C]. Helpers and the uniform contract: filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring rows ty0 .. ty0 + 3; both loops run along y, so each hx row and
// each u row the 4 outputs share is loaded once (16 loads instead of 48 for 12/12 taps at up 2, down 2).

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
  let stride = uniforms.tmpW * cv;  // one row of hx, u and gt

  // Transposed down FIR: tap ascending, so oy descending.
  let down = uniforms.down;
  let rd = downBlockRange(ty0, uniforms.outH);
  var hi = ((nLocal * uniforms.outH + rd.y) * uniforms.tmpW + tx) * cv + c;
  var ad = ty0 - rd.y * down;  // tap of output ty0; output ty0 + k uses ad + k
  var g0 = ChannelVec(0.0);
  var g1 = ChannelVec(0.0);
  var g2 = ChannelVec(0.0);
  var g3 = ChannelVec(0.0);
  for (var oy = rd.y; oy >= rd.x; oy--) {
    let h = hx[hi];
    g0 += downTap(ad) * h;
    g1 += downTap(ad + 1) * h;
    g2 += downTap(ad + 2) * h;
    g3 += downTap(ad + 3) * h;
    hi -= stride;
    ad += down;
  }

  // The pre-activation, as filtered_lrelu_up_y.wgsl computes it.
  let up = uniforms.up;
  let ru = upBlockRange(ty0, uniforms.padTop, uniforms.inH);
  var ui = ((nLocal * uniforms.inH + ru.x) * uniforms.tmpW + tx) * cv + c;
  var au = ru.x * up + uniforms.padTop - ty0;  // tap of output ty0; output ty0 + k uses au - k
  var v0 = ChannelVec(0.0);
  var v1 = ChannelVec(0.0);
  var v2 = ChannelVec(0.0);
  var v3 = ChannelVec(0.0);
  for (var i = ru.x; i <= ru.y; i++) {
    let w = u[ui];
    v0 += upTap(au) * w;
    v1 += upTap(au - 1) * w;
    v2 += upTap(au - 2) * w;
    v3 += upTap(au - 3) * w;
    ui += stride;
    au += up;
  }

  let o = ((nLocal * uniforms.tmpH + ty0) * uniforms.tmpW + tx) * cv + c;
  result[o] = g0 * activateDerivative(v0);
  if (ty0 + 1 < uniforms.tmpH) { result[o + stride] = g1 * activateDerivative(v1); }
  if (ty0 + 2 < uniforms.tmpH) { result[o + 2 * stride] = g2 * activateDerivative(v2); }
  if (ty0 + 3 < uniforms.tmpH) { result[o + 3 * stride] = g3 * activateDerivative(v3); }
}
