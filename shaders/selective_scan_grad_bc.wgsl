// Backward, the per-state part: dB and dC, which sum over channels. One invocation per (batch row b, state n)
// owns dB_t[n] and dC_t[n] for every t and adds every channel's share into them in turn (no other invocation
// writes there, so no atomics). For each channel d the state h[n] is one scalar:
//   dC_t[n] += dy_t[d] h_t[n]        dB_t[n] += g_t[n] delta_t[d] x_t[d]
// with the adjoint g_t[n] = C_t[n] dy_t[d] + exp(delta_{t+1}[d] A[d, n]) g_{t+1}[n], recomputing h chunk by
// chunk from the checkpoints as selective_scan_grad_x.wgsl does.
//
// Inputs as selective_scan_grad_x.wgsl. Output: [batch, L, 2N] (dB, then dC: the layout of bc).
// Needs selective_scan_common.wgsl before it.

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let Dc = uniforms.channels;
  let N = uniforms.states;
  let L = uniforms.seqLen;
  let b = index / N;
  let n = index % N;
  for (var d = 0; d < Dc; d++) {
    let an = scanA(d, n);
    var g = 0.0;
    var hs : array<f32, SCAN_CHUNK>;
    for (var c = uniforms.chunks - 1; c >= 0; c--) {
      let t0 = c * SCAN_CHUNK;
      let t1 = min(t0 + SCAN_CHUNK, L);
      var h = ad[stateIndex(b, c, d, n)];
      for (var t = t0; t < t1; t++) {
        let row = scanRow(b, t);
        let delta = scanDelta(row, d);
        h = exp(delta * an) * h + delta * scanB(row, n) * scanX(row, d);
        hs[t - t0] = h;
      }
      for (var t = t1 - 1; t >= t0; t--) {
        let row = scanRow(b, t);
        let x = scanX(row, d);
        let delta = scanDelta(row, d);
        let dy = xd[row * uniforms.xdStride + 2 * Dc + d];
        g += scanC(row, n) * dy;
        let o = row * 2 * N + n;
        let dB = g * delta * x;
        let dC = dy * hs[t - t0];
        if (d == 0) {
          result[o] = dB;
          result[o + N] = dC;
        } else {
          result[o] += dB;
          result[o + N] += dC;
        }
        g *= exp(delta * an);
      }
    }
  }
}
