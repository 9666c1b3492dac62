// Filtered leaky ReLU, down FIR along y with every `down`-th row (forward pass 4 of 4):
// out[n, oy, ox] = sum over a of downTap(a) * h[n, oy * down + a, ox]. Input: h for one chunk
// [nb, tmpH, outW, C]. Output: the chunk's part of the full output [N, outH, outW, C] (at resultBase).
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
  let oy = q % uniforms.outH;
  let nLocal = q / uniforms.outH;
  var idx = ((nLocal * uniforms.tmpH + oy * uniforms.down) * uniforms.outW + ox) * cv + c;
  var acc = ChannelVec(0.0);
  for (var a = 0; a < uniforms.downTaps; a++) {
    acc += downTap(a) * h[idx];
    idx += uniforms.outW * cv;
  }
  result[uniforms.resultBase + index] = acc;
}
