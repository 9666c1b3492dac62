// Shared part of the selective-scan programs (selective_scan.wgsl, selective_scan_states.wgsl,
// selective_scan_grad_x.wgsl, selective_scan_grad_bc.wgsl): Mamba's S6 recurrence, per batch row and channel d,
//
//   h_t[n] = exp(delta_t A[d, n]) h_{t-1}[n] + delta_t B_t[n] x_t,   h_{-1} = 0
//   y_t    = sum_n C_t[n] h_t[n] + D[d] x_t
//
// Every program reads three packed inputs (compat mode allows 4 storage buffers per stage, output included):
//   xd [batch, L, xdStride]: x in columns 0..Dc-1, delta in Dc..2Dc-1 (and dy in 2Dc..3Dc-1 for the gradients)
//   bc [batch, L, 2N]:       B in columns 0..N-1, C in N..2N-1
//   ad [Dc, N + 1] (+ ...):  A[d, n] at d (N + 1) + n, D[d] at d (N + 1) + N; the gradient programs get
//                            the states program's output here, which starts with the same [Dc, N + 1] block
//                            and goes on with the checkpointed states (see stateIndex).
// The sequence is walked in order by one invocation; the gradient programs go backwards over chunks of
// SCAN_CHUNK steps, recomputing each chunk's states from a checkpoint taken at its start.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/selective-scan.ts must match field for field
// (checked by the GPU test page).
struct SelectiveScanParams {
  count : i32,      // invocations with work
  seqLen : i32,     // L
  channels : i32,   // Dc
  states : i32,     // N (at most SCAN_MAX_STATES)
  xdStride : i32,   // floats per row of xd: 2 Dc (forward), 3 Dc (gradient programs)
  chunks : i32,     // ceil(L / SCAN_CHUNK): checkpoints per batch row
}

// Private arrays need constant sizes; the TS side refuses N above this and falls back to the reference.
const SCAN_MAX_STATES = 16;
// Steps between checkpoints: memory of the checkpoints is 1 / SCAN_CHUNK of all states; each gradient
// invocation keeps one chunk of states in private memory.
const SCAN_CHUNK = 16;

fn scanRow(b : i32, t : i32) -> i32 {
  return b * uniforms.seqLen + t;
}

fn scanX(row : i32, d : i32) -> f32 {
  return xd[row * uniforms.xdStride + d];
}

fn scanDelta(row : i32, d : i32) -> f32 {
  return xd[row * uniforms.xdStride + uniforms.channels + d];
}

fn scanB(row : i32, n : i32) -> f32 {
  return bc[row * 2 * uniforms.states + n];
}

fn scanC(row : i32, n : i32) -> f32 {
  return bc[row * 2 * uniforms.states + uniforms.states + n];
}

fn scanA(d : i32, n : i32) -> f32 {
  return ad[d * (uniforms.states + 1) + n];
}

fn scanD(d : i32) -> f32 {
  return ad[d * (uniforms.states + 1) + uniforms.states];
}

// Where the states program puts h[n] of (batch row b, channel d) before chunk c: after the [Dc, N + 1] block.
fn stateIndex(b : i32, c : i32, d : i32, n : i32) -> i32 {
  let N = uniforms.states;
  return uniforms.channels * (N + 1) + ((b * uniforms.chunks + c) * uniforms.channels + d) * N + n;
}
