// Random bf16 weights made on the device, for benchmarks of a model's shape without its
// checkpoint: element i is uniform in [-scale, scale) from a hash of (seed, i), so any grid
// gives the same values.
__device__ __forceinline__ unsigned long long mix(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

extern "C" __global__ void fill_random_bf16(unsigned short* out, long long n, unsigned long long seed, float scale) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        unsigned long long r = mix(seed * 0x9e3779b97f4a7c15ull + (unsigned long long)i);
        float u = (float)(r >> 40) * (1.0f / 16777216.0f); // 24 bits: [0, 1)
        float f = (2.0f * u - 1.0f) * scale;
        out[i] = (unsigned short)(__float_as_uint(f) >> 16);
    }
}

// The same for floats (norm weights: pass offset 1 and a small scale to stay near one).
extern "C" __global__ void fill_random_f32(float* out, long long n, unsigned long long seed, float scale, float offset) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        unsigned long long r = mix(seed * 0x9e3779b97f4a7c15ull + (unsigned long long)i);
        float u = (float)(r >> 40) * (1.0f / 16777216.0f);
        out[i] = offset + (2.0f * u - 1.0f) * scale;
    }
}
