// Filtered leaky ReLU backward, pass 2 of 2: the transposed up FIR. Input sample (iy, ix) sits at padded
// position iy*up + padTop of the zero-inserted signal, and temporary row ty read it through tap
// a = iy*up + padTop - ty, so
//   dx[iy, ix] = sum over a, k of upTap(a) * upTap(k) * gt[iy*up + padTop - a, ix*up + padLeft - k].
// Input: gt for one chunk [nb, tmpH, tmpW, C]. Output: the chunk's part of dx [N, inH, inW, C].
// d bias is the sum of dx over N, H, W (bias is added before upsampling), done with tf.sum by the caller.
// Helpers and the uniform contract: filtered_lrelu_common.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let cv = uniforms.channelVecs;
  let c = index % cv;
  let p = index / cv;
  let ix = p % uniforms.inW;
  let q = p / uniforms.inW;
  let iy = q % uniforms.inH;
  let nLocal = q / uniforms.inH;
  let y0 = iy * uniforms.up + uniforms.padTop;
  let x0 = ix * uniforms.up + uniforms.padLeft;
  // Taps whose temporary position lies inside [0, tmp).
  let a0 = max(0, y0 - uniforms.tmpH + 1);
  let a1 = min(uniforms.upTaps, y0 + 1);
  let k0 = max(0, x0 - uniforms.tmpW + 1);
  let k1 = min(uniforms.upTaps, x0 + 1);
  var rowIdx = ((nLocal * uniforms.tmpH + y0 - a0) * uniforms.tmpW + x0 - k0) * cv + c;
  var acc = ChannelVec(0.0);
  for (var a = a0; a < a1; a++) {
    var idx = rowIdx;
    var rowAcc = ChannelVec(0.0);
    for (var k = k0; k < k1; k++) {
      rowAcc += upTap(k) * gt[idx];
      idx -= cv;
    }
    acc += upTap(a) * rowAcc;
    rowIdx -= uniforms.tmpW * cv;
  }
  result[uniforms.resultBase + index] = acc;
}
