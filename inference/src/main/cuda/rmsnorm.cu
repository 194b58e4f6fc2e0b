// RMSNorm: out = x / sqrt(mean(x^2) + eps) * weight, one block per row of n floats; out may be x.
// Twin: CpuKernels.rmsnorm. Also the per-head q/k norm of Qwen3 (rows = tokens * heads, n = head_dim).
extern "C" __global__ void rmsnorm_f32(const float* x, const float* __restrict__ weight, float* out, int n, float eps) {
    __shared__ float partial[32];
    const float* row = x + (size_t)blockIdx.x * n;
    float* dst = out + (size_t)blockIdx.x * n;
    float sum = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        sum += row[i] * row[i];
    }
    for (int o = 16; o > 0; o >>= 1) {
        sum += __shfl_xor_sync(0xffffffffu, sum, o);
    }
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = (blockDim.x + 31) >> 5;
    if (lane == 0) {
        partial[warp] = sum;
    }
    __syncthreads();
    if (warp == 0) {
        sum = lane < warps ? partial[lane] : 0.f;
        for (int o = 16; o > 0; o >>= 1) {
            sum += __shfl_xor_sync(0xffffffffu, sum, o);
        }
        if (lane == 0) {
            partial[0] = sum;
        }
    }
    __syncthreads();
    float scale = 1.0f / sqrtf(partial[0] / n + eps);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        dst[i] = row[i] * scale * weight[i];
    }
}
