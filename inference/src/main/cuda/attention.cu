// Attention over a paged KV cache, split over the sequence, in two kernels:
//
// attention_partial: one block per (work item, kv head). A work item is one split of one segment:
// a run of whole cache blocks read through a block table, and the query rows that read it. N
// samples over one prompt are one segment over the shared prompt blocks (each block read once for
// all of them) plus one segment per sample over its own blocks. A prompt chunk is segments of a
// few query rows each over the whole table, stopping at the last position its rows may see; no
// score matrix is ever stored (online softmax, flash-style). Each query (row, head) keeps its
// running max m, sum l and unnormalised output in shared memory; the block writes them as a
// partial. Queries of the block share a kv head: rows x (heads / kv_heads) queries.
//
// The grid may hold more blocks along x than there are work items (a CUDA graph launches the
// same grid every step): workCount[0] says how many there are; the others return at once.
//
// attention_combine: one block per (row, head) merges the row's partials (listed in CSR form)
// into the attention output, rescaling each by exp(m_i - max m).
//
// Layouts. q, out: (rows, heads, head_dim) float. Pools of one layer: (blocks, kv_heads,
// block, head_dim) bf16. segments: (S, 7) ints {table start, first position, positions, query
// start, query rows, partial start, positions per split}. work: (W, 2) {segment, split}.
// queryRows: the q row of each segment query row. lastPositions: per q row, the last position it
// may see (causal). Partial p of (segment query row i, split s) is partial start + s * query rows
// + i; its (m, l) at ml[(p * heads + h) * 2], its output at o[(p * heads + h) * head_dim].
// Twin: CpuKernels.attention.

#define NEG_INF (-__int_as_float(0x7f800000))

extern "C" __global__ void attention_partial(const float* __restrict__ q, const unsigned short* __restrict__ kPool,
                                             const unsigned short* __restrict__ vPool, const int* __restrict__ blockTables,
                                             const int* __restrict__ segments, const int* __restrict__ work,
                                             const int* __restrict__ workCount,
                                             const int* __restrict__ queryRows, const int* __restrict__ lastPositions,
                                             float* __restrict__ partialO, float* __restrict__ partialMl,
                                             int heads, int kvHeads, int headDim, int block, float scale) {
    extern __shared__ float shared[];
    if (blockIdx.x >= workCount[0]) {
        return; // the whole block: no barrier is reached
    }
    const int* seg = segments + 7 * work[2 * blockIdx.x];
    int split = work[2 * blockIdx.x + 1];
    int tableStart = seg[0], firstPosition = seg[1], positions = seg[2], queryStart = seg[3];
    int rows = seg[4], partialStart = seg[5], perSplit = seg[6];
    int kvHead = blockIdx.y;
    int group = heads / kvHeads;
    int nq = rows * group;
    int stride = headDim + 1; // pads K rows so that lanes reading one column each hit different banks
    float* qs = shared;                    // (nq, head_dim), scaled
    float* acc = qs + nq * headDim;        // (nq, head_dim)
    float* ml = acc + nq * headDim;        // (nq, 2)
    int* last = (int*)(ml + 2 * nq);       // (nq)
    float* ks = (float*)(last + nq);       // (block, head_dim + 1)
    float* vs = ks + block * stride;       // (block, head_dim)
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;

    int maxLast = -1;
    for (int j = 0; j < nq; j++) {
        maxLast = max(maxLast, lastPositions[queryRows[queryStart + j / group]]);
    }
    for (int e = threadIdx.x; e < nq * headDim; e += blockDim.x) {
        int j = e / headDim, d = e % headDim;
        int row = queryRows[queryStart + j / group];
        int head = kvHead * group + j % group;
        qs[e] = q[((size_t)row * heads + head) * headDim + d] * scale;
        acc[e] = 0.f;
    }
    for (int j = threadIdx.x; j < nq; j += blockDim.x) {
        ml[2 * j] = NEG_INF;
        ml[2 * j + 1] = 0.f;
        last[j] = lastPositions[queryRows[queryStart + j / group]];
    }
    int from = firstPosition + split * perSplit;
    int to = min(firstPosition + positions, from + perSplit);
    to = min(to, maxLast + 1);
    __syncthreads();
    for (int start = from; start < to; start += block) {
        int id = blockTables[tableStart + (start - firstPosition) / block];
        const unsigned short* kb = kPool + ((size_t)id * kvHeads + kvHead) * block * headDim;
        const unsigned short* vb = vPool + ((size_t)id * kvHeads + kvHead) * block * headDim;
        int n = min(block, to - start);
        for (int e = threadIdx.x; e < n * headDim; e += blockDim.x) {
            int p = e / headDim, d = e % headDim;
            ks[p * stride + d] = __uint_as_float(((unsigned)kb[e]) << 16);
            vs[e] = __uint_as_float(((unsigned)vb[e]) << 16);
        }
        __syncthreads();
        for (int j = warp; j < nq; j += warps) {
            const float* qj = qs + j * headDim;
            float m = ml[2 * j], l = ml[2 * j + 1];
            // each lane scores positions lane, lane + 32, ...; blocks are at most 32 positions here
            float s = NEG_INF;
            if (lane < n && start + lane <= last[j]) {
                const float* kp = ks + lane * stride;
                float dot = 0.f;
                for (int d = 0; d < headDim; d++) {
                    dot += qj[d] * kp[d];
                }
                s = dot;
            }
            float blockMax = s;
            for (int o = 16; o > 0; o >>= 1) {
                blockMax = fmaxf(blockMax, __shfl_xor_sync(0xffffffffu, blockMax, o));
            }
            if (blockMax == NEG_INF) {
                continue; // nothing this query may see in this block
            }
            float mNew = fmaxf(m, blockMax);
            float correction = m == NEG_INF ? 0.f : __expf(m - mNew);
            float p = s == NEG_INF ? 0.f : __expf(s - mNew);
            float sum = p;
            for (int o = 16; o > 0; o >>= 1) {
                sum += __shfl_xor_sync(0xffffffffu, sum, o);
            }
            float* aj = acc + j * headDim;
            for (int d = lane; d < headDim; d += 32) {
                float a = aj[d] * correction;
                for (int i = 0; i < n; i++) {
                    a += __shfl_sync(0xffffffffu, p, i) * vs[i * headDim + d];
                }
                aj[d] = a;
            }
            if (lane == 0) {
                ml[2 * j] = mNew;
                ml[2 * j + 1] = l * correction + sum;
            }
            __syncwarp();
        }
        __syncthreads();
    }
    for (int e = threadIdx.x; e < nq * headDim; e += blockDim.x) {
        int j = e / headDim, d = e % headDim;
        int head = kvHead * group + j % group;
        size_t pidx = (size_t)partialStart + (size_t)split * rows + j / group;
        partialO[(pidx * heads + head) * headDim + d] = acc[e];
    }
    for (int j = threadIdx.x; j < nq; j += blockDim.x) {
        int head = kvHead * group + j % group;
        size_t pidx = (size_t)partialStart + (size_t)split * rows + j / group;
        partialMl[(pidx * heads + head) * 2] = ml[2 * j];
        partialMl[(pidx * heads + head) * 2 + 1] = ml[2 * j + 1];
    }
}

// rowPartials: (rows + 1) offsets into partials, the partial indices of each output row.
extern "C" __global__ void attention_combine(const float* __restrict__ partialO, const float* __restrict__ partialMl,
                                             const int* __restrict__ rowPartials, const int* __restrict__ partials,
                                             float* __restrict__ out, int heads, int headDim) {
    int row = blockIdx.x, head = blockIdx.y;
    int first = rowPartials[row], end = rowPartials[row + 1];
    float m = NEG_INF;
    for (int i = first; i < end; i++) {
        m = fmaxf(m, partialMl[((size_t)partials[i] * heads + head) * 2]);
    }
    float l = 0.f;
    for (int i = first; i < end; i++) {
        float mi = partialMl[((size_t)partials[i] * heads + head) * 2];
        if (mi != NEG_INF) {
            l += partialMl[((size_t)partials[i] * heads + head) * 2 + 1] * __expf(mi - m);
        }
    }
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float o = 0.f;
        for (int i = first; i < end; i++) {
            size_t p = (size_t)partials[i] * heads + head;
            float mi = partialMl[p * 2];
            if (mi != NEG_INF) {
                o += partialO[p * headDim + d] * __expf(mi - m);
            }
        }
        out[((size_t)row * heads + head) * headDim + d] = o / l;
    }
}
