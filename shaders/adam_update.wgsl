// The Adam parameter update p' (see adam_update_common.wgsl) in one pass instead of tfjs's 7 elementwise
// programs. Inputs: p, m (the new first moment), v. Needs adam_update_common.wgsl before it.
//
// which = 1: v is the OLD second moment and m is the gradient (valid when beta1 = 0, where m' = g exactly);
// v' is then recomputed here from the old one (adam_moment.wgsl stores v' beside it), so a beta1 = 0 step
// takes 2 passes and no first-moment pass. Either way the program has 3 inputs + 1 output, the
// compatibility-mode limit of 4 storage buffers.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let m1 = m[index];
  var v1 = v[index];
  if (uniforms.which == 1) {
    v1 = adamSecondMoment(v1, m1);
  }
  let mHat = m1 / uniforms.correction1;
  let vHat = v1 / uniforms.correction2;
  result[index] = (mHat / (sqrt(vHat) + uniforms.epsilon)) * (-uniforms.lr) + p[index];
}
