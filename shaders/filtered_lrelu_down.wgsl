// Filtered leaky ReLU, pass 2 of 2: low-pass FIR of the temporary with the down filter (no padding) and
// every `down`-th sample. Reads the chunk's temporary t[nb, tmpH, tmpW, C]; writes the chunk's part of the
// full output [N, outH, outW, C] (resultBase = first element of the chunk).
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
  let kd = uniforms.downTaps;
  var rowIdx = ((nLocal * uniforms.tmpH + oy * uniforms.down) * uniforms.tmpW + ox * uniforms.down) * cv + c;
  var acc = ChannelVec(0.0);
  for (var a = 0; a < kd; a++) {
    var idx = rowIdx;
    var rowAcc = ChannelVec(0.0);
    for (var k = 0; k < kd; k++) {
      rowAcc += downTap(k) * t[idx];
      idx += cv;
    }
    acc += downTap(a) * rowAcc;
    rowIdx += uniforms.tmpW * cv;
  }
  result[uniforms.resultBase + index] = acc;
}
