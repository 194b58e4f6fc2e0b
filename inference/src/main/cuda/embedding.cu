// Token embedding: one block per row copies the token's bf16 row of the table out as floats.
// Twin: Transformer's embedding step (WeightMatrix.readRow), exact.
extern "C" __global__ void embedding_bf16(const int* __restrict__ tokens, const unsigned short* __restrict__ table,
                                          float* __restrict__ out, int dim) {
    int row = blockIdx.x;
    const unsigned short* src = table + (size_t)tokens[row] * dim;
    float* dst = out + (size_t)row * dim;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        dst[i] = __uint_as_float(((unsigned)src[i]) << 16);
    }
}
