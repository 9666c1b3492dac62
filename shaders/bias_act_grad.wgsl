// Backward: dx = dy * d act/dv at v = x + b (the clamp's mask included). One invocation per element.
// Inputs: dy, x [.., C], b [C]. The bias gradient is the sum of dx over all but the last axis, left to a
// stock reduction. Linear in dy, so this same program is its own gradient w.r.t. dy (the R1 penalty's
// second derivative); w.r.t. x and b it is zero almost everywhere. Needs bias_act_common.wgsl before it.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  result[index] = dy[index] * biasActSlope(x[index] + b[index % uniforms.channels]);
}
