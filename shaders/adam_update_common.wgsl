// Shared part of the fused Adam programs (adam_moment.wgsl, adam_update.wgsl), the same arithmetic in the same
// order as tfjs 4.22's AdamOptimizer.applyGradients, so the results agree to float rounding:
//
//   m' = m * beta1 + g * (1 - beta1)
//   v' = v * beta2 + g^2 * (1 - beta2)
//   p' = (m' / c1) / (sqrt(v' / c2) + epsilon) * (-lr) + p      c1 = 1 - beta1^t, c2 = 1 - beta2^t
//
// All inputs are flat float32 arrays of `count` elements (a variable and its gradient and moments have one
// shape). The bias corrections arrive ready-made (the TS side keeps beta^t in float32, as tfjs does).

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/adam-update.ts must match field for field
// (checked by the GPU test page).
struct AdamParams {
  count : i32,             // elements of the variable
  beta1 : f32,             // first-moment decay
  beta2 : f32,             // second-moment decay
  epsilon : f32,           // added to sqrt of the corrected second moment
  lr : f32,                // learning rate
  correction1 : f32,       // 1 - beta1^t
  correction2 : f32,       // 1 - beta2^t
  which : i32,             // adam_moment: 1 = first moment, 2 = second; adam_update: 1 = v is the old moment
}

fn adamSecondMoment(v : f32, g : f32) -> f32 {
  return v * uniforms.beta2 + (g * g) * (1.0 - uniforms.beta2);
}
