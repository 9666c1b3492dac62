// Filtered leaky ReLU backward, the transposed down FIR along y (backward pass 2 of 5):
// hy[n, ty, ox] = sum over the outputs rows oy that read temporary row ty of downTap(ty - oy * down) * dy[n, oy, ox].
// Input: dy [N, outH, outW, C]. Output: hy for one chunk [nb, tmpH, outW, C].
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let c = index % cv;
  let p = index / cv;
  let ox = p % uniforms.outW;
  let q = p / uniforms.outW;
  let ty = q % uniforms.tmpH;
  let n = q / uniforms.tmpH + uniforms.batchOffset;
  let ry = downTapRange(ty, uniforms.outH);
  var idx = ((n * uniforms.outH + ry.y - ry.z) * uniforms.outW + ox) * cv + c;
  var a = ry.x + ry.z * uniforms.down;
  var acc = ChannelVec(0.0);
  for (var jy = ry.z; jy < ry.w; jy++) {
    acc += downTap(a) * dy[idx];
    idx -= uniforms.outW * cv;
    a += uniforms.down;
  }
  result[index] = acc;
}
