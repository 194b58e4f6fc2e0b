// Sampling on the device, one block of 1024 threads per row of logits, so that only token ids
// come back to the host.
//
// argmax_f32: the lowest index of the largest logit (Sampler.argmax).
// sample_top_p_f32: weights w_i = exp((x_i - max) / temperature); the nucleus is every token
// whose weight is at least tau, tau the largest value whose tokens hold at least top_p of the
// mass (found by bisection on tau's bits, so no sort); then the token at u * kept mass, walking
// the nucleus in index order. Temperature 0 is argmax. params (rows, 3): temperature, top_p, u
// in [0, 1), the caller's random number (one per sample, from its seeded stream).
// Twin: the test's DeviceSamplingTwin (the same nucleus; Sampler walks it most likely first,
// so one u picks a different token of the same distribution).

#define THREADS 1024
#define NEG_INF (-__int_as_float(0x7f800000))

__device__ float block_sum(float v, float* scratch) {
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = scratch[lane];
        for (int o = 16; o > 0; o >>= 1) {
            v += __shfl_xor_sync(0xffffffffu, v, o);
        }
        if (lane == 0) {
            scratch[32] = v;
        }
    }
    __syncthreads();
    return scratch[32];
}

// The largest (v, at) of the warp, the lowest index among equal values, in every lane.
__device__ __forceinline__ void warp_argmax(float& v, int& at) {
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, v, o);
        int oi = __shfl_xor_sync(0xffffffffu, at, o);
        if (ov > v || (ov == v && oi < at)) {
            v = ov;
            at = oi;
        }
    }
}

// The largest value and its lowest index over the row, in every thread.
__device__ void block_argmax(const float* x, int n, float* scratch, int* index, float* best, int* bestIndex) {
    float v = NEG_INF;
    int at = n;
    for (int i = threadIdx.x; i < n; i += THREADS) {
        if (x[i] > v) {
            v = x[i];
            at = i;
        }
    }
    warp_argmax(v, at);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
        index[warp] = at;
    }
    __syncthreads();
    if (warp == 0) {
        v = scratch[lane];
        at = index[lane];
        warp_argmax(v, at);
        if (lane == 0) {
            scratch[32] = v;
            index[32] = at;
        }
    }
    __syncthreads();
    *best = scratch[32];
    *bestIndex = index[32] < n ? index[32] : 0;
}

extern "C" __global__ void __launch_bounds__(THREADS) argmax_f32(const float* __restrict__ logits, int n, int* __restrict__ out) {
    __shared__ float scratch[33];
    __shared__ int index[33];
    float best;
    int at;
    block_argmax(logits + (size_t)blockIdx.x * n, n, scratch, index, &best, &at);
    if (threadIdx.x == 0) {
        out[blockIdx.x] = at;
    }
}

extern "C" __global__ void __launch_bounds__(THREADS) sample_top_p_f32(const float* __restrict__ logits, int n,
                                                                       const float* __restrict__ params, int* __restrict__ out) {
    __shared__ float scratch[33];
    __shared__ int index[33];
    __shared__ float chunkSums[THREADS];
    const float* x = logits + (size_t)blockIdx.x * n;
    float temperature = params[3 * blockIdx.x], topP = params[3 * blockIdx.x + 1], u = params[3 * blockIdx.x + 2];
    float max;
    int at;
    block_argmax(x, n, scratch, index, &max, &at);
    if (temperature == 0.f) {
        if (threadIdx.x == 0) {
            out[blockIdx.x] = at;
        }
        return;
    }
    float inverse = 1.0f / temperature;
    float local = 0.f;
    for (int i = threadIdx.x; i < n; i += THREADS) {
        local += __expf((x[i] - max) * inverse);
    }
    float total = block_sum(local, scratch);
    // bisection on tau's bits: the largest tau in [0, 1] with mass(w >= tau) >= top_p * total
    unsigned lo = 0u, hi = __float_as_uint(1.0f);
    float kept = total;
    if (topP < 1.f) {
        float want = topP * total;
        while (lo < hi) {
            unsigned mid = lo + (hi - lo + 1) / 2;
            float tau = __uint_as_float(mid);
            float part = 0.f;
            for (int i = threadIdx.x; i < n; i += THREADS) {
                float w = __expf((x[i] - max) * inverse);
                part += w >= tau ? w : 0.f;
            }
            float mass = block_sum(part, scratch);
            if (mass >= want) {
                lo = mid;
                kept = mass;
            } else {
                hi = mid - 1;
            }
        }
    }
    float tau = __uint_as_float(lo);
    // each thread owns a contiguous chunk; chunk sums, scanned, say whose chunk holds the target
    int per = (n + THREADS - 1) / THREADS;
    int from = min(n, (int)threadIdx.x * per), to = min(n, from + per);
    float mine = 0.f;
    for (int i = from; i < to; i++) {
        float w = __expf((x[i] - max) * inverse);
        mine += w >= tau ? w : 0.f;
    }
    chunkSums[threadIdx.x] = mine;
    __syncthreads();
    if (threadIdx.x == 0) {
        float target = u * kept;
        float cumulative = 0.f;
        int chosen = -1, lastKept = at;
        for (int c = 0; c < THREADS && chosen < 0; c++) {
            if (cumulative + chunkSums[c] > target) {
                int cFrom = min(n, c * per), cTo = min(n, cFrom + per);
                for (int i = cFrom; i < cTo; i++) {
                    float w = __expf((x[i] - max) * inverse);
                    if (w >= tau) {
                        lastKept = i;
                        cumulative += w;
                        if (cumulative > target) {
                            chosen = i;
                            break;
                        }
                    }
                }
            } else {
                cumulative += chunkSums[c];
            }
        }
        out[blockIdx.x] = chosen >= 0 ? chosen : lastKept;
    }
}
