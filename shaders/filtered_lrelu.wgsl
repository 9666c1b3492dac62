// Filtered leaky ReLU, pass 1 of 2: bias + upsampling FIR + leaky ReLU * gain + clamp, into the temporary
// t[nb, tmpH, tmpW, C] for one chunk of the batch. When the down filter is a single tap with down = 1 (ToRGB
// layers), this pass writes the final output directly (scaled by outScale) and pass 2 is skipped.
// Inputs: x [N, inH, inW, C], bias [C]. Helpers and the uniform contract: filtered_lrelu_common.wgsl and
// filtered_lrelu_activation.wgsl.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let c = index % uniforms.channelVecs;
  let p = index / uniforms.channelVecs;
  let tx = p % uniforms.tmpW;
  let q = p / uniforms.tmpW;
  let ty = q % uniforms.tmpH;
  let n = q / uniforms.tmpH + uniforms.batchOffset;
  result[uniforms.resultBase + index] = activate(preActivation(n, ty, tx, c)) * uniforms.outScale;
}
