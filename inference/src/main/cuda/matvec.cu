// Decode's products: out (tokens, rows) = x (tokens, cols) . W^T, W bf16 (rows, cols), for
// 1 to 16 tokens. One warp per row streams the row once with 16-byte loads and meets every
// token's x with it, so a step of 16 samples reads the weights once, as a step of one does.
// Entries matvec_bf16_T take up to T tokens; the host picks the smallest T that fits.
// Twin: CpuKernels.matmul (float sums; bf16 weights decoded exactly).

__device__ __forceinline__ float bf16(unsigned bits) {
    return __uint_as_float(bits << 16);
}

template <int T>
__device__ __forceinline__ void matvec_rows(const unsigned short* __restrict__ w, const float* __restrict__ x,
                                            float* __restrict__ out, int rows, int cols, int tokens) {
    int lane = threadIdx.x & 31;
    int warps = (gridDim.x * blockDim.x) >> 5;
    for (int row = (blockIdx.x * blockDim.x + threadIdx.x) >> 5; row < rows; row += warps) {
        float acc[T];
#pragma unroll
        for (int t = 0; t < T; t++) {
            acc[t] = 0.f;
        }
        const unsigned short* wr = w + (size_t)row * cols;
        if ((cols & 7) == 0) {
#pragma unroll 2
            for (int c = lane * 8; c < cols; c += 256) {
                uint4 packed = __ldg(reinterpret_cast<const uint4*>(wr + c));
                float wf[8] = {bf16(packed.x & 0xffffu), bf16(packed.x >> 16), bf16(packed.y & 0xffffu), bf16(packed.y >> 16),
                               bf16(packed.z & 0xffffu), bf16(packed.z >> 16), bf16(packed.w & 0xffffu), bf16(packed.w >> 16)};
#pragma unroll
                for (int t = 0; t < T; t++) {
                    if (t < tokens) {
                        const float4* xp = reinterpret_cast<const float4*>(x + (size_t)t * cols + c);
                        float4 a = xp[0], b = xp[1];
                        acc[t] += wf[0] * a.x + wf[1] * a.y + wf[2] * a.z + wf[3] * a.w
                                + wf[4] * b.x + wf[5] * b.y + wf[6] * b.z + wf[7] * b.w;
                    }
                }
            }
        } else {
            for (int c = lane; c < cols; c += 32) {
                float wf = bf16(wr[c]);
#pragma unroll
                for (int t = 0; t < T; t++) {
                    if (t < tokens) {
                        acc[t] += wf * x[(size_t)t * cols + c];
                    }
                }
            }
        }
#pragma unroll
        for (int t = 0; t < T; t++) {
            float s = acc[t];
            for (int o = 16; o > 0; o >>= 1) {
                s += __shfl_xor_sync(0xffffffffu, s, o);
            }
            if (lane == 0 && t < tokens) {
                out[(size_t)t * rows + row] = s;
            }
        }
    }
}

extern "C" __global__ void matvec_bf16_1(const unsigned short* w, const float* x, float* out, int rows, int cols, int tokens) {
    matvec_rows<1>(w, x, out, rows, cols, tokens);
}

extern "C" __global__ void matvec_bf16_4(const unsigned short* w, const float* x, float* out, int rows, int cols, int tokens) {
    matvec_rows<4>(w, x, out, rows, cols, tokens);
}

extern "C" __global__ void matvec_bf16_8(const unsigned short* w, const float* x, float* out, int rows, int cols, int tokens) {
    matvec_rows<8>(w, x, out, rows, cols, tokens);
}

extern "C" __global__ void matvec_bf16_16(const unsigned short* w, const float* x, float* out, int rows, int cols, int tokens) {
    matvec_rows<16>(w, x, out, rows, cols, tokens);
}
