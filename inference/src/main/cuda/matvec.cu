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

// The same product for 5 to 16 tokens on the tensor cores (mma.sync m16n8k16, bf16 in, float
// accumulators): the CUDA-core loop above meets every 16 bytes of weights with 16 tokens' x,
// 32 times as many bytes from L1, and runs out of L1 bandwidth before memory bandwidth. A block
// of 8 warps takes 16 weight rows; each warp a slice of the columns, 32 at a time: a lane loads
// 16 bytes of row g and of row g + 8 (g = lane / 4) and 8 floats of x for tokens g and g + 8.
// The mma's k order is a permutation of the columns (lane t of a group holds columns 8t..8t+7,
// not 2t, 2t+1, 2t+8, 2t+9), the same for weights and x, so the dot products are unchanged.
// The warps' partial sums meet in shared memory. Needs cols % 8 == 0 (16-byte rows).

__device__ __forceinline__ unsigned pack_bf16(float lo, float hi) {
    unsigned a = __float_as_uint(lo), b = __float_as_uint(hi);
    a = (a + 0x7fffu + ((a >> 16) & 1u)) >> 16; // round to nearest even
    b = (b + 0x7fffu + ((b >> 16) & 1u)) >> 16;
    return a | (b << 16);
}

__device__ __forceinline__ void mma_bf16(float* c, unsigned a0, unsigned a1, unsigned a2, unsigned a3, unsigned b0, unsigned b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

extern "C" __global__ void __launch_bounds__(256) matvec_bf16_mma16(const unsigned short* __restrict__ w, const float* __restrict__ x,
                                                                   float* __restrict__ out, int rows, int cols, int tokens) {
    __shared__ float partial[8][16][16]; // (warp, row, token)
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int g = lane >> 2, t = lane & 3;
    int row0 = blockIdx.x * 16;
    int ra = row0 + g, rb = row0 + g + 8;
    const unsigned short* wa = w + (size_t)min(ra, rows - 1) * cols;
    const unsigned short* wb = w + (size_t)min(rb, rows - 1) * cols;
    const float* xa = x + (size_t)min(g, tokens - 1) * cols;
    const float* xb = x + (size_t)min(g + 8, tokens - 1) * cols;
    float c0[4] = {0.f, 0.f, 0.f, 0.f}; // tokens 0..7
    float c1[4] = {0.f, 0.f, 0.f, 0.f}; // tokens 8..15
    int steps = (cols + 31) / 32;
    for (int s = warp; s < steps; s += 8) {
        int k = s * 32 + t * 8;
        uint4 pa = make_uint4(0, 0, 0, 0), pb = pa;
        float4 x0 = make_float4(0.f, 0.f, 0.f, 0.f), x1 = x0, x2 = x0, x3 = x0;
        if (k < cols) {
            if (ra < rows) {
                pa = __ldg(reinterpret_cast<const uint4*>(wa + k));
            }
            if (rb < rows) {
                pb = __ldg(reinterpret_cast<const uint4*>(wb + k));
            }
            if (g < tokens) {
                x0 = *reinterpret_cast<const float4*>(xa + k);
                x1 = *reinterpret_cast<const float4*>(xa + k + 4);
            }
            if (g + 8 < tokens) {
                x2 = *reinterpret_cast<const float4*>(xb + k);
                x3 = *reinterpret_cast<const float4*>(xb + k + 4);
            }
        }
        // columns 8t, 8t+1 | 8t+2, 8t+3 form the first k16 step, 8t+4 .. 8t+7 the second
        mma_bf16(c0, pa.x, pb.x, pa.y, pb.y, pack_bf16(x0.x, x0.y), pack_bf16(x0.z, x0.w));
        mma_bf16(c0, pa.z, pb.z, pa.w, pb.w, pack_bf16(x1.x, x1.y), pack_bf16(x1.z, x1.w));
        mma_bf16(c1, pa.x, pb.x, pa.y, pb.y, pack_bf16(x2.x, x2.y), pack_bf16(x2.z, x2.w));
        mma_bf16(c1, pa.z, pb.z, pa.w, pb.w, pack_bf16(x3.x, x3.y), pack_bf16(x3.z, x3.w));
    }
    // c[0], c[1]: row g, tokens 2t, 2t+1; c[2], c[3]: row g + 8, the same tokens (+8 for c1)
    partial[warp][g][2 * t] = c0[0];
    partial[warp][g][2 * t + 1] = c0[1];
    partial[warp][g + 8][2 * t] = c0[2];
    partial[warp][g + 8][2 * t + 1] = c0[3];
    partial[warp][g][8 + 2 * t] = c1[0];
    partial[warp][g][8 + 2 * t + 1] = c1[1];
    partial[warp][g + 8][8 + 2 * t] = c1[2];
    partial[warp][g + 8][8 + 2 * t + 1] = c1[3];
    __syncthreads();
    int r = threadIdx.x >> 4, token = threadIdx.x & 15;
    float sum = 0.f;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        sum += partial[i][r][token];
    }
    if (row0 + r < rows && token < tokens) {
        out[(size_t)token * rows + row0 + r] = sum;
    }
}
