// Filtered leaky ReLU, down FIR along y with every `down`-th row (forward pass 4 of 4):
// out[n, oy, ox] = sum over a of downTap(a) * h[n, oy * down + a, ox]. Input: h for one chunk
// [nb, tmpH, outW, C]. Output: the chunk's part of the full output [N, outH, outW, C] (at resultBase).
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring outputs along y, sliding over the rows they share (see
// filtered_lrelu_down_x.wgsl): 3 * down + downTaps loads for 4 outputs, uniform tap reads.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let yBlocks = ceilDiv(uniforms.outH, 4);
  let c = index % cv;
  let p = index / cv;
  let ox = p % uniforms.outW;
  let q = p / uniforms.outW;
  let oy0 = (q % yBlocks) * 4;
  let nLocal = q / yBlocks;
  let down = uniforms.down;
  let kd = uniforms.downTaps;
  let lastRow = uniforms.tmpH - 1;
  let sampleBase = nLocal * uniforms.tmpH;
  var acc0 = ChannelVec(0.0);
  var acc1 = ChannelVec(0.0);
  var acc2 = ChannelVec(0.0);
  var acc3 = ChannelVec(0.0);
  let span = 3 * down + kd;
  for (var s = 0; s < span; s++) {
    // Rows past the edge only feed outputs past the edge (not written): clamp the load.
    let v = h[((sampleBase + min(oy0 * down + s, lastRow)) * uniforms.outW + ox) * cv + c];
    acc0 += downTap(s) * v;
    let k1 = s - down;
    acc1 += downTap(k1) * v;
    let k2 = s - 2 * down;
    acc2 += downTap(k2) * v;
    let k3 = s - 3 * down;
    acc3 += downTap(k3) * v;
  }
  let plane = uniforms.outW * cv;
  let o = uniforms.resultBase + ((nLocal * uniforms.outH + oy0) * uniforms.outW + ox) * cv + c;
  result[o] = acc0;
  if (oy0 + 1 < uniforms.outH) { result[o + plane] = acc1; }
  if (oy0 + 2 < uniforms.outH) { result[o + 2 * plane] = acc2; }
  if (oy0 + 3 < uniforms.outH) { result[o + 3 * plane] = acc3; }
}
