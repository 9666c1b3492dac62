// Batched matrix product without workgroup memory: one invocation per output element, looping over K.
// On SwiftShader (and other CPU implementations) workgroup barriers are coroutine switches, so tfjs's tiled
// programs spend most of their time switching; a plain loop per output runs at memory speed there. Chosen
// per adapter by the autotune (src/gpu/autotune.ts), never blindly.
//
//   a: transposeA ? [batchA, K, M] : [batchA, M, K];  b: transposeB ? [batchB, N, K] : [batchB, K, N]
//   result [batch, M, N], batch = max(batchA, batchB) (a batch of 1 broadcasts)

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/matmul-naive.ts must match field for field
// (checked by the GPU test page).
struct MatMulParams {
  count : i32,       // batch * M * N
  m : i32,
  n : i32,
  k : i32,
  batchA : i32,
  batchB : i32,
  transposeA : i32,  // 0 or 1
  transposeB : i32,  // 0 or 1
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let m = uniforms.m;
  let n = uniforms.n;
  let k = uniforms.k;
  let col = index % n;
  let row = (index / n) % m;
  let batch = index / (m * n);
  let ba = select(batch, 0, uniforms.batchA == 1);
  let bb = select(batch, 0, uniforms.batchB == 1);
  var ai = ba * m * k + row * k;
  var aStep = 1;
  if (uniforms.transposeA == 1) {
    ai = ba * m * k + row;
    aStep = m;
  }
  var bi = bb * k * n + col;
  var bStep = n;
  if (uniforms.transposeB == 1) {
    bi = bb * k * n + col * k;
    bStep = 1;
  }
  var acc = 0.0;
  for (var i = 0; i < k; i++) {
    acc += A[ai] * B[bi];
    ai += aStep;
    bi += bStep;
  }
  result[index] = acc;
}
