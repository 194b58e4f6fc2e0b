// Prompt processing's products on the tensor cores: out (tokens, rows) = x (tokens, cols) . W^T,
// x float rounded to bf16 on the way into shared memory, W bf16 (rows, cols), float accumulators.
// A block of 4 warps computes a 64 x 64 tile of out, each warp 32 x 32 as 2 x 2 wmma fragments of
// 16 x 16 x 16; cols advance 32 at a time. Any sizes: edges are padded with zeros.
// Twin: CpuKernels.matmul (which keeps x in float: the difference is bf16 rounding of x).
#include <mma.h>
#include <cuda_bf16.h>

using namespace nvcuda;

#define TILE 64
#define KSTEP 32
#define LDS (KSTEP + 8)
#define LDC (TILE + 4)

extern "C" __global__ void __launch_bounds__(128) matmul_bf16_wmma(const float* __restrict__ x, const unsigned short* __restrict__ w,
                                                                 float* __restrict__ out, int tokens, int rows, int cols) {
    __shared__ __align__(32) __nv_bfloat16 as[TILE * LDS];
    __shared__ __align__(32) __nv_bfloat16 bs[TILE * LDS];
    __shared__ __align__(32) float cs[TILE * LDC];
    int t0 = blockIdx.y * TILE, r0 = blockIdx.x * TILE;
    int warp = threadIdx.x >> 5;
    int wt = (warp >> 1) * 32, wr = (warp & 1) * 32;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::fill_fragment(acc[i][j], 0.f);
        }
    }
    for (int k0 = 0; k0 < cols; k0 += KSTEP) {
        for (int e = threadIdx.x; e < TILE * KSTEP; e += blockDim.x) {
            int r = e / KSTEP, k = e % KSTEP;
            int t = t0 + r, c = k0 + k;
            as[r * LDS + k] = __float2bfloat16_rn(t < tokens && c < cols ? x[(size_t)t * cols + c] : 0.f);
            int n = r0 + r;
            unsigned short bits = n < rows && c < cols ? w[(size_t)n * cols + c] : (unsigned short)0;
            bs[r * LDS + k] = __ushort_as_bfloat16(bits);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < KSTEP; kk += 16) {
            wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> a[2];
            wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::col_major> b[2];
#pragma unroll
            for (int i = 0; i < 2; i++) {
                wmma::load_matrix_sync(a[i], as + (wt + i * 16) * LDS + kk, LDS);
                wmma::load_matrix_sync(b[i], bs + (wr + i * 16) * LDS + kk, LDS);
            }
#pragma unroll
            for (int i = 0; i < 2; i++) {
#pragma unroll
                for (int j = 0; j < 2; j++) {
                    wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++) {
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(cs + (wt + i * 16) * LDC + wr + j * 16, acc[i][j], LDC, wmma::mem_row_major);
        }
    }
    __syncthreads();
    for (int e = threadIdx.x; e < TILE * TILE; e += blockDim.x) {
        int r = e / TILE, n = e % TILE;
        int t = t0 + r, c = r0 + n;
        if (t < tokens && c < rows) {
            out[(size_t)t * rows + c] = cs[r * LDC + n];
        }
    }
}
