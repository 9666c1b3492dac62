// One SGD-with-momentum step of one variable (PyTorch's form, src/train/scheduled-optimizer.ts), in 2 passes
// instead of up to 6 elementwise programs, with the same arithmetic in the same order:
//
//   g' = g + p * weightDecay                 (weightDecay = 0 for weights that are not decayed)
//   buf' = buf * momentum + g'               which = 1: this program writes buf'
//   p' = p - step * lr,  step = nesterov ? g' + buf' * momentum : buf'      which = 2: writes p'
//
// Inputs: p, g, buf (flat float32 arrays of `count` elements); with which = 2, `buf` is already buf'.
// 3 inputs + 1 output: within compatibility mode's 4 storage buffers.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/sgd-update.ts must match field for field
// (checked by the GPU test page).
struct SgdParams {
  count : i32,          // elements of the variable
  momentum : f32,       // momentum factor
  weightDecay : f32,    // L2 factor added to the gradient (0 = none)
  lr : f32,             // learning rate
  nesterov : i32,       // 1 = Nesterov momentum
  which : i32,          // 1 = write the momentum buffer, 2 = write the parameter
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let pi = p[index];
  let gd = g[index] + pi * uniforms.weightDecay;
  if (uniforms.which == 1) {
    result[index] = buf[index] * uniforms.momentum + gd;
    return;
  }
  let b = buf[index];
  var step = b;
  if (uniforms.nesterov == 1) {
    step = gd + b * uniforms.momentum;
  }
  result[index] = pi - step * uniforms.lr;
}
