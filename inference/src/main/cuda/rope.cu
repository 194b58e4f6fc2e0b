// Rotary position embedding in place, Hugging Face "rotate half": dimension i pairs with i + head_dim/2.
// x is (rows, heads, head_dim); row r is at positions[r]. Angles in double, as the twin
// (Transformer + CpuKernels.rope) computes them, so long positions lose nothing.
extern "C" __global__ void rope_f32(float* x, const int* __restrict__ positions, const double* __restrict__ inverseFrequencies,
                                    int heads, int headDim) {
    int row = blockIdx.x;
    int half = headDim / 2;
    double position = (double)positions[row];
    for (int j = threadIdx.x; j < heads * half; j += blockDim.x) {
        int h = j / half, i = j % half;
        double s, c;
        sincos(position * inverseFrequencies[i], &s, &c);
        float cf = (float)c, sf = (float)s;
        float* v = x + ((size_t)row * heads + h) * headDim;
        float x1 = v[i], x2 = v[i + half];
        v[i] = x1 * cf - x2 * sf;
        v[i + half] = x2 * cf + x1 * sf;
    }
}
