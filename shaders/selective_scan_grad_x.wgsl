// Backward, the per-channel part: dx and d delta for every (row, t, channel), and per batch row the partial
// sums of dA and dD (the TS side adds them over batch rows). One invocation per (batch row b, channel d).
//
// With g_t[n] = dL/dh_t[n] = C_t[n] dy_t + exp(delta_{t+1} A[n]) g_{t+1}[n] (the adjoint, walked from t = L-1
// down to 0) and e_t[n] = exp(delta_t A[d, n]):
//   dx_t     = D dy_t + sum_n g_t[n] delta_t B_t[n]
//   ddelta_t = sum_n g_t[n] (A[n] e_t[n] h_{t-1}[n] + B_t[n] x_t)
//   dA[n]   += g_t[n] delta_t e_t[n] h_{t-1}[n]          dD += dy_t x_t
// h_{t-1} is recomputed chunk by chunk from the states program's checkpoints, kept in private memory.
//
// Inputs: xd with dy in its third block (xdStride = 3 Dc), bc, and the states program's output as `ad`.
// Output, flat: dx and ddelta as [batch, L, 2 Dc] (the layout of xd's first two blocks), then the partial
// [batch, Dc, N + 1] of (dA, dD). Needs selective_scan_common.wgsl before it.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let Dc = uniforms.channels;
  let N = uniforms.states;
  let L = uniforms.seqLen;
  let b = index / Dc;
  let d = index % Dc;
  var a : array<f32, SCAN_MAX_STATES>;
  var g : array<f32, SCAN_MAX_STATES>;
  var dA : array<f32, SCAN_MAX_STATES>;
  var start : array<f32, SCAN_MAX_STATES>;
  var hs : array<f32, SCAN_CHUNK * SCAN_MAX_STATES>; // h_t for the chunk's steps, t - t0 major
  for (var n = 0; n < N; n++) {
    a[n] = scanA(d, n);
  }
  let skip = scanD(d);
  var dD = 0.0;
  for (var c = uniforms.chunks - 1; c >= 0; c--) {
    let t0 = c * SCAN_CHUNK;
    let t1 = min(t0 + SCAN_CHUNK, L);
    var h : array<f32, SCAN_MAX_STATES>;
    for (var n = 0; n < N; n++) {
      start[n] = ad[stateIndex(b, c, d, n)];
      h[n] = start[n];
    }
    for (var t = t0; t < t1; t++) {
      let row = scanRow(b, t);
      let x = scanX(row, d);
      let delta = scanDelta(row, d);
      for (var n = 0; n < N; n++) {
        h[n] = exp(delta * a[n]) * h[n] + delta * scanB(row, n) * x;
        hs[(t - t0) * SCAN_MAX_STATES + n] = h[n];
      }
    }
    for (var t = t1 - 1; t >= t0; t--) {
      let row = scanRow(b, t);
      let x = scanX(row, d);
      let delta = scanDelta(row, d);
      let dy = xd[row * uniforms.xdStride + 2 * Dc + d];
      var dx = skip * dy;
      var dDelta = 0.0;
      dD += dy * x;
      for (var n = 0; n < N; n++) {
        var hPrev = start[n];
        if (t > t0) {
          hPrev = hs[(t - t0 - 1) * SCAN_MAX_STATES + n];
        }
        let e = exp(delta * a[n]);
        let bn = scanB(row, n);
        let gn = g[n] + scanC(row, n) * dy;
        dDelta += gn * (a[n] * e * hPrev + bn * x);
        dx += gn * delta * bn;
        dA[n] += gn * delta * e * hPrev;
        g[n] = gn * e;
      }
      result[row * 2 * Dc + d] = dx;
      result[row * 2 * Dc + Dc + d] = dDelta;
    }
  }
  let base = uniforms.count * L * 2 + (b * Dc + d) * (N + 1);
  for (var n = 0; n < N; n++) {
    result[base + n] = dA[n];
  }
  result[base + N] = dD;
}
