// Filtered leaky ReLU, down FIR along x with every `down`-th column (forward pass 3 of 4):
// h[n, ty, ox] = sum over k of downTap(k) * t[n, ty, ox * down + k]. Input: the temporary t for one chunk
// [nb, tmpH, tmpW, C]. Output: h [nb, tmpH, outW, C]. Helpers and the uniform contract:
// filtered_lrelu_common.wgsl.

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
  let nLocal = q / uniforms.tmpH;
  var idx = ((nLocal * uniforms.tmpH + ty) * uniforms.tmpW + ox * uniforms.down) * cv + c;
  var acc = ChannelVec(0.0);
  for (var k = 0; k < uniforms.downTaps; k++) {
    acc += downTap(k) * t[idx];
    idx += cv;
  }
  result[index] = acc;
}
