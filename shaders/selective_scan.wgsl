// Forward: y [batch, L, Dc]. One invocation per (batch row, channel), walking t = 0..L-1 with its N states
// in private memory. Needs selective_scan_common.wgsl before it.

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
  let skip = scanD(d);
  for (var t = 0; t < uniforms.seqLen; t++) {
    let row = scanRow(b, t);
    let x = scanX(row, d);
    let delta = scanDelta(row, d);
    var y = skip * x;
    for (var n = 0; n < N; n++) {
      h[n] = exp(delta * a[n]) * h[n] + delta * scanB(row, n) * x;
      y += scanC(row, n) * h[n];
    }
    result[row * Dc + d] = y;
  }
}
