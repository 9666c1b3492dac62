// Batched matrix product, register blocked and barrier-free: one invocation computes a 4 x 4 block of the
// output (4 rows x 4 columns, 16 sums), loading 4 values of A and 4 of B per step of K: 8 loads per 16
// multiply-adds where matmul_naive.wgsl does 2 per 1. For CPU implementations of WebGPU, where loads set the
// speed and tfjs's tiled programs lose their time in barriers. Chosen per adapter by the autotune.
//
//   a: transposeA ? [batchA, K, M] : [batchA, M, K];  b: transposeB ? [batchB, N, K] : [batchB, K, N]
//   result [batch, M, N], batch = max(batchA, batchB) (a batch of 1 broadcasts)
//
// Rows and columns past the edge are clamped for loading (no branches in the loop) and not written.

// The program-defined uniforms, in order. tfjs declares and binds the real struct (`uniforms`) itself; this
// struct is not bound. It is the contract that src/gpu/kernels/matmul-block.ts must match field for field
// (checked by the GPU test page).
struct MatMulBlockParams {
  count : i32,       // batch * mBlocks * nBlocks
  m : i32,
  n : i32,
  k : i32,
  batchA : i32,
  batchB : i32,
  transposeA : i32,  // 0 or 1
  transposeB : i32,  // 0 or 1
  mBlocks : i32,     // ceil(M / 4)
  nBlocks : i32,     // ceil(N / 4)
}

fn main(index : i32) {
  if (index >= uniforms.count) {
    return;
  }
  let m = uniforms.m;
  let n = uniforms.n;
  let k = uniforms.k;
  let col0 = (index % uniforms.nBlocks) * 4;
  let rest = index / uniforms.nBlocks;
  let row0 = (rest % uniforms.mBlocks) * 4;
  let batch = rest / uniforms.mBlocks;
  let ba = select(batch, 0, uniforms.batchA == 1);
  let bb = select(batch, 0, uniforms.batchB == 1);
  // Strides of A between rows and between steps of K, and of B between columns and steps of K.
  var aRow = k;
  var aStep = 1;
  if (uniforms.transposeA == 1) {
    aRow = 1;
    aStep = m;
  }
  var bCol = 1;
  var bStep = n;
  if (uniforms.transposeB == 1) {
    bCol = k;
    bStep = 1;
  }
  let aBase = ba * m * k;
  let bBase = bb * k * n;
  var a0 = aBase + row0 * aRow;
  var a1 = aBase + min(row0 + 1, m - 1) * aRow;
  var a2 = aBase + min(row0 + 2, m - 1) * aRow;
  var a3 = aBase + min(row0 + 3, m - 1) * aRow;
  var b0 = bBase + col0 * bCol;
  var b1 = bBase + min(col0 + 1, n - 1) * bCol;
  var b2 = bBase + min(col0 + 2, n - 1) * bCol;
  var b3 = bBase + min(col0 + 3, n - 1) * bCol;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var i = 0; i < k; i++) {
    let av = vec4<f32>(A[a0], A[a1], A[a2], A[a3]);
    let bv = vec4<f32>(B[b0], B[b1], B[b2], B[b3]);
    acc0 += av.x * bv;
    acc1 += av.y * bv;
    acc2 += av.z * bv;
    acc3 += av.w * bv;
    a0 += aStep;
    a1 += aStep;
    a2 += aStep;
    a3 += aStep;
    b0 += bStep;
    b1 += bStep;
    b2 += bStep;
    b3 += bStep;
  }
  var accs = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var j = 0; j < 4; j++) {
    let row = row0 + j;
    if (row >= m) {
      break;
    }
    let o = (batch * m + row) * n + col0;
    let v = accs[j];
    result[o] = v.x;
    if (col0 + 1 < n) { result[o + 1] = v.y; }
    if (col0 + 2 < n) { result[o + 2] = v.z; }
    if (col0 + 3 < n) { result[o + 3] = v.w; }
  }
}
