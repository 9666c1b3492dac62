// One pass of the per-channel sum (the bias gradient): x viewed as [rows, C] -> [ceil(rows / rowsPerChunk), C],
// each invocation adding one chunk of one channel's column. No workgroup memory and no barriers: SwiftShader
// runs barriers as coroutine switches, which made tfjs's tree reduction of a [16384, 4] column take seconds.
// The TS side repeats the pass until one row is left.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/channel-sum.ts must match field for field
// (checked by the GPU test page).
struct ChannelSumParams {
  count : i32,         // invocations with work: output rows x C
  rows : i32,          // rows of the input
  channels : i32,      // C
  rowsPerChunk : i32,  // input rows each invocation adds
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let c = index % uniforms.channels;
  let r0 = (index / uniforms.channels) * uniforms.rowsPerChunk;
  let r1 = min(r0 + uniforms.rowsPerChunk, uniforms.rows);
  var acc = 0.0;
  for (var r = r0; r < r1; r++) {
    acc += x[r * uniforms.channels + c];
  }
  result[index] = acc;
}
