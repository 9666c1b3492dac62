// Filtered leaky ReLU backward, the transposed down FIR along x (backward pass 2 of 5):
// hx[n, oy, tx] = sum over the output columns ox that read temporary column tx of
// downTap(tx - ox * down) * dy[n, oy, ox]. Input: dy [N, outH, outW, C]. Output: hx for one chunk
// [nb, outH, tmpW, C]. The x axis goes first so that the next pass (filtered_lrelu_grad_down_y.wgsl) runs
// both its loops, the transposed down FIR and the pre-activation's up FIR, along y.
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring columns tx0 .. tx0 + 3, loading each dy column they share once:
// (3 + downTaps - 1) / down + 1 loads instead of 4 x downTaps / down. Each output sums its taps in the
// order of a one-output loop (tap ascending, so ox descending).

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let xBlocks = ceilDiv(uniforms.tmpW, 4);
  let c = index % cv;
  let p = index / cv;
  let tx0 = (p % xBlocks) * 4;
  let q = p / xBlocks;
  let oy = q % uniforms.outH;
  let nLocal = q / uniforms.outH;
  let n = nLocal + uniforms.batchOffset;
  let down = uniforms.down;
  let r = downBlockRange(tx0, uniforms.outW);
  var idx = ((n * uniforms.outH + oy) * uniforms.outW + r.y) * cv + c;
  var a = tx0 - r.y * down;  // tap of output tx0; output tx0 + k uses a + k
  var acc0 = ChannelVec(0.0);
  var acc1 = ChannelVec(0.0);
  var acc2 = ChannelVec(0.0);
  var acc3 = ChannelVec(0.0);
  for (var ox = r.y; ox >= r.x; ox--) {
    let v = dy[idx];
    acc0 += downTap(a) * v;
    acc1 += downTap(a + 1) * v;
    acc2 += downTap(a + 2) * v;
    acc3 += downTap(a + 3) * v;
    idx -= cv;
    a += down;
  }
  let o = ((nLocal * uniforms.outH + oy) * uniforms.tmpW + tx0) * cv + c;
  result[o] = acc0;
  if (tx0 + 1 < uniforms.tmpW) { result[o + cv] = acc1; }
  if (tx0 + 2 < uniforms.tmpW) { result[o + 2 * cv] = acc2; }
  if (tx0 + 3 < uniforms.tmpW) { result[o + 3 * cv] = acc3; }
}
