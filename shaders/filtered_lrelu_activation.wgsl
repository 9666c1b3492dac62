// Bias + upsampling + activation helpers of the filtered leaky ReLU, shared by the forward pass 1
// (filtered_lrelu.wgsl) and backward pass 1 (filtered_lrelu_grad.wgsl), the two programs with inputs named
// `x` [N, inH, inW, C] and `bias` [C]. Needs filtered_lrelu_common.wgsl before it.

// Polyphase range along one axis: temporary position `pos` reads input samples through taps
// a = a0 + j * up (a < upTaps), input index i0 + j; only j in [j0, j1) land inside [0, inSize).
struct TapRange {
  a0 : i32,
  i0 : i32,
  j0 : i32,
  j1 : i32,
}

fn tapRange(pos : i32, pad : i32, inSize : i32) -> TapRange {
  let up = uniforms.up;
  let a0 = posMod(pad - pos, up);          // first tap that lands on a real (not inserted) sample
  let i0 = (pos + a0 - pad) / up;          // exact: the numerator is a multiple of up
  let j0 = max(0, -i0);
  let j1 = min(ceilDiv(uniforms.upTaps - a0, up), inSize - i0);
  return TapRange(a0, i0, j0, j1);
}

// Pre-activation value v at temporary position (ty, tx) of sample n (full-batch index), channel vector c.
// ceil(upTaps/up)^2 reads instead of upTaps^2: the zero-inserted samples are skipped, not multiplied.
fn preActivation(n : i32, ty : i32, tx : i32, c : i32) -> ChannelVec {
  let up = uniforms.up;
  let cv = uniforms.channelVecs;
  let ry = tapRange(ty, uniforms.padTop, uniforms.inH);
  let rx = tapRange(tx, uniforms.padLeft, uniforms.inW);
  let b = bias[c];
  var acc = ChannelVec(0.0);
  var rowIdx = ((n * uniforms.inH + ry.i0 + ry.j0) * uniforms.inW + rx.i0 + rx.j0) * cv + c;
  var a = ry.a0 + ry.j0 * up;
  for (var jy = ry.j0; jy < ry.j1; jy++) {
    var idx = rowIdx;
    var k = rx.a0 + rx.j0 * up;
    var rowAcc = ChannelVec(0.0);
    for (var jx = rx.j0; jx < rx.j1; jx++) {
      rowAcc += upTap(k) * (x[idx] + b);
      idx += cv;
      k += up;
    }
    acc += upTap(a) * rowAcc;
    rowIdx += uniforms.inW * cv;
    a += up;
  }
  return acc;
}

fn activate(v : ChannelVec) -> ChannelVec {
  var y = select(v * uniforms.slope, v, v >= ChannelVec(0.0)) * uniforms.gain;
  if (uniforms.clampOn != 0) {
    y = clamp(y, ChannelVec(-uniforms.clampMax), ChannelVec(uniforms.clampMax));
  }
  return y;
}

// d activate / d v: slope or 1, times gain, and 0 where the clamp holds the value (the reference's
// clamp, 0.5 * (|y + c| - |y - c|), has derivative 0 there too; only |y| == c exactly differs).
fn activateDerivative(v : ChannelVec) -> ChannelVec {
  let d = select(ChannelVec(uniforms.slope), ChannelVec(1.0), v >= ChannelVec(0.0)) * uniforms.gain;
  if (uniforms.clampOn != 0) {
    return select(d, ChannelVec(0.0), abs(v * d) >= ChannelVec(uniforms.clampMax));
  }
  return d;
}
