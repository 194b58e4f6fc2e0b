// The paged KV cache's device side. Pools hold (layers, blocks, kv_heads, block, head_dim) bf16.

// float to bf16 bits, rounding to nearest even (NaN stays NaN).
__device__ __forceinline__ unsigned short bf16_rn(float f) {
    unsigned bits = __float_as_uint(f);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return (unsigned short)((bits >> 16) | 0x40u);
    }
    return (unsigned short)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

// Stores the keys and values of new rows of one layer: row r goes to slot slots[r] (block id *
// block + offset), rounded to bf16 (nearest even). k, v: (rows, kv_heads, head_dim) float.
extern "C" __global__ void kv_write_bf16(const float* __restrict__ k, const float* __restrict__ v,
                                         unsigned short* __restrict__ kPool, unsigned short* __restrict__ vPool,
                                         const int* __restrict__ slots, int kvHeads, int headDim, int block) {
    int row = blockIdx.x;
    int slot = slots[row];
    int id = slot / block, offset = slot % block;
    for (int e = threadIdx.x; e < kvHeads * headDim; e += blockDim.x) {
        int h = e / headDim, d = e % headDim;
        size_t dst = (((size_t)id * kvHeads + h) * block + offset) * headDim + d;
        kPool[dst] = bf16_rn(k[(size_t)row * kvHeads * headDim + e]);
        vPool[dst] = bf16_rn(v[(size_t)row * kvHeads * headDim + e]);
    }
}

// Copy on write: copies whole blocks src[i] -> dst[i] of every layer. Grid (pairs, layers).
// layerElements: elements of one layer's pool (blocks * kv_heads * block * head_dim).
extern "C" __global__ void kv_copy_blocks(unsigned short* kPool, unsigned short* vPool, const int* __restrict__ src,
                                          const int* __restrict__ dst, long long layerElements, int blockElements) {
    size_t layer = (size_t)blockIdx.y * layerElements;
    size_t from = layer + (size_t)src[blockIdx.x] * blockElements;
    size_t to = layer + (size_t)dst[blockIdx.x] * blockElements;
    for (int e = threadIdx.x; e < blockElements; e += blockDim.x) {
        kPool[to + e] = kPool[from + e];
        vPool[to + e] = vPool[from + e];
    }
}
