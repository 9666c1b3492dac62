// Filtered leaky ReLU, down FIR along x with every `down`-th column (forward pass 3 of 4):
// h[n, ty, ox] = sum over k of downTap(k) * t[n, ty, ox * down + k]. Input: the temporary t for one chunk
// [nb, tmpH, tmpW, C]. Output: h [nb, tmpH, outW, C]. Helpers and the uniform contract:
// filtered_lrelu_common.wgsl.
//
// One invocation computes 4 neighbouring outputs along x, sliding over the columns they share: 3 * down +
// downTaps loads for 4 outputs instead of 4 * downTaps (18 instead of 48 for StyleGAN3's 12 taps at down 2).
// The tap index s - j * down is the same in every invocation, so the taps are uniform reads.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let xBlocks = ceilDiv(uniforms.outW, 4);
  let c = index % cv;
  let p = index / cv;
  let ox0 = (p % xBlocks) * 4;
  let q = p / xBlocks;
  let ty = q % uniforms.tmpH;
  let nLocal = q / uniforms.tmpH;
  let down = uniforms.down;
  let kd = uniforms.downTaps;
  let rowBase = (nLocal * uniforms.tmpH + ty) * uniforms.tmpW;
  let lastCol = uniforms.tmpW - 1;
  var acc0 = ChannelVec(0.0);
  var acc1 = ChannelVec(0.0);
  var acc2 = ChannelVec(0.0);
  var acc3 = ChannelVec(0.0);
  let span = 3 * down + kd;
  for (var s = 0; s < span; s++) {
    // Columns past the edge only feed outputs past the edge (not written): clamp the load.
    let v = t[(rowBase + min(ox0 * down + s, lastCol)) * cv + c];
    acc0 += downTap(s) * v;
    let k1 = s - down;
    acc1 += downTap(k1) * v;
    let k2 = s - 2 * down;
    acc2 += downTap(k2) * v;
    let k3 = s - 3 * down;
    acc3 += downTap(k3) * v;
  }
  let o = ((nLocal * uniforms.tmpH + ty) * uniforms.outW + ox0) * cv + c;
  result[o] = acc0;
  if (ox0 + 1 < uniforms.outW) { result[o + cv] = acc1; }
  if (ox0 + 2 < uniforms.outW) { result[o + 2 * cv] = acc2; }
  if (ox0 + 3 < uniforms.outW) { result[o + 3 * cv] = acc3; }
}
