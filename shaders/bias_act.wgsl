// Forward: y = clamp(gain * act(x + b)). One invocation per element. Inputs: x [.., C], b [C].
// Needs bias_act_common.wgsl before it.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let v = x[index] + b[index % uniforms.channels];
  var y = select(v * uniforms.slope, v, v > 0.0) * uniforms.gain;
  // WGSL's clamp is min/max, which may turn a NaN into a bound; the reference passes NaN on, and so must we
  // (the training loop's NaN watch relies on it).
  if (uniforms.clamp >= 0.0 && !isNanF32(y)) {
    y = clamp(y, -uniforms.clamp, uniforms.clamp);
  }
  result[index] = y;
}
