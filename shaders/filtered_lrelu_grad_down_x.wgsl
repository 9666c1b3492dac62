// Filtered leaky ReLU backward, the transposed down FIR along x times the activation's derivative (backward
// pass 3 of 5): the gradient at the temporary's positions
//   gt[n, ty, tx] = activateDerivative(v[n, ty, tx]) * sum over output columns ox reading tx of
//                   downTap(tx - ox * down) * hy[n, ty, ox],
// with the pre-activation v recomputed from u (the up pass along x, filtered_lrelu_up_x.wgsl) by the up taps
// along y rather than stored between forward and backward.
// Inputs: hy [nb, tmpH, outW, C], u [nb, inH, tmpW, C], both for one chunk. Output: gt [nb, tmpH, tmpW, C].
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
  let rx = downTapRange(tx, uniforms.outW);
  var idx = ((nLocal * uniforms.tmpH + ty) * uniforms.outW + rx.y - rx.z) * cv + c;
  var k = rx.x + rx.z * uniforms.down;
  var g = ChannelVec(0.0);
  for (var jx = rx.z; jx < rx.w; jx++) {
    g += downTap(k) * hy[idx];
    idx -= cv;
    k += uniforms.down;
  }
  // Border positions that no output reads need no activation.
  if (any(g != ChannelVec(0.0))) {
    let ry = tapRange(ty, uniforms.padTop, uniforms.inH);
    var ui = ((nLocal * uniforms.inH + ry.i0 + ry.j0) * uniforms.tmpW + tx) * cv + c;
    var a = ry.a0 + ry.j0 * uniforms.up;
    var v = ChannelVec(0.0);
    for (var jy = ry.j0; jy < ry.j1; jy++) {
      v += upTap(a) * u[ui];
      ui += uniforms.tmpW * cv;
      a += uniforms.up;
    }
    g *= activateDerivative(v);
  }
  result[index] = g;
}
