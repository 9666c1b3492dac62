// The generator EMA update of one variable, ema' = source + (ema - source) * beta, in one pass instead of
// tfjs's 3 elementwise programs (sub, mul, add), with the same arithmetic in the same order.
// Inputs: ema, source (flat float32 arrays of `count` elements).

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/ema-lerp.ts must match field for field
// (checked by the GPU test page).
struct EmaLerpParams {
  count : i32,   // elements of the variable
  beta : f32,    // weight of the old average
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let s = source[index];
  result[index] = s + (ema[index] - s) * uniforms.beta;
}
