// One Adam moment, m' or v' (see adam_update_common.wgsl), in one pass instead of tfjs's 3 (first moment) or
// 4 (second moment) elementwise programs. Inputs: moment, g. Needs adam_update_common.wgsl before it.
// Only used where beta1 != 0: with beta1 = 0 the first moment is the gradient itself and adam_update.wgsl
// folds the second moment in, so no moment pass runs at all.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let gi = g[index];
  if (uniforms.which == 1) {
    result[index] = moment[index] * uniforms.beta1 + gi * (1.0 - uniforms.beta1);
  } else {
    result[index] = adamSecondMoment(moment[index], gi);
  }
}
