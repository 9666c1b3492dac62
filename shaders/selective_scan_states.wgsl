// Checkpoints for the gradient programs. Output: the [Dc, N + 1] block of A and D copied from `ad`, then
// h[n] of every (batch row, chunk, channel) before the chunk's first step (see stateIndex). One invocation per
// (batch row, channel); those of batch row 0 also copy their channel's row of the A/D block. This is the
// forward recurrence again (it writes states, not y). Needs selective_scan_common.wgsl before it.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let Dc = uniforms.channels;
  let N = uniforms.states;
  let b = index / Dc;
  let d = index % Dc;
  var h : array<f32, SCAN_MAX_STATES>;
  var a : array<f32, SCAN_MAX_STATES>;
  for (var n = 0; n < N; n++) {
    a[n] = scanA(d, n);
  }
  if (b == 0) {
    for (var n = 0; n <= N; n++) {
      result[d * (N + 1) + n] = ad[d * (N + 1) + n];
    }
  }
  for (var t = 0; t < uniforms.seqLen; t++) {
    if (t % SCAN_CHUNK == 0) {
      for (var n = 0; n < N; n++) {
        result[stateIndex(b, t / SCAN_CHUNK, d, n)] = h[n];
      }
    }
    let row = scanRow(b, t);
    let x = scanX(row, d);
    let delta = scanDelta(row, d);
    for (var n = 0; n < N; n++) {
      h[n] = exp(delta * a[n]) * h[n] + delta * scanB(row, n) * x;
    }
  }
}
