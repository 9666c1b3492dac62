// One pass of a sum (or mean) over a contiguous block of axes, without workgroup memory: the input viewed as
// [outer, rows, inner] -> [outer, ceil(rows / rowsPerChunk), inner], each invocation adding one chunk of one
// (outer, inner) column and multiplying by `scale` (1, or 1 / (all rows) in the last pass of a mean).
// tfjs's reductions transpose the reduced axes last and run a workgroup tree with barriers, which
// SwiftShader runs as coroutine switches (see channel_sum.wgsl, the same idea for the bias gradient).
// The TS side (src/gpu/kernels/reduce.ts) repeats the pass until one row is left.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/reduce.ts must match field for field
// (checked by the GPU test page).
struct ReduceRowsParams {
  count : i32,         // invocations with work: outer x output rows x inner
  rows : i32,          // rows of the input view
  inner : i32,         // elements after the reduced axes (1 when they are the last)
  rowsPerChunk : i32,  // input rows each invocation adds
  outRows : i32,       // ceil(rows / rowsPerChunk)
  scale : f32,
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let inner = uniforms.inner;
  let i = index % inner;
  let rest = index / inner;
  let chunk = rest % uniforms.outRows;
  let o = rest / uniforms.outRows;
  let r0 = chunk * uniforms.rowsPerChunk;
  let r1 = min(r0 + uniforms.rowsPerChunk, uniforms.rows);
  var idx = (o * uniforms.rows + r0) * inner + i;
  var acc = 0.0;
  for (var r = r0; r < r1; r++) {
    acc += x[idx];
    idx += inner;
  }
  result[index] = acc * uniforms.scale;
}
