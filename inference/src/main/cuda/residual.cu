// The residual connection and projection biases. Twins: CpuKernels.add and CpuKernels.addBias.
extern "C" __global__ void add_f32(float* x, const float* __restrict__ y, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        x[i] += y[i];
    }
}

// x (rows, width) += bias (width) on every row.
extern "C" __global__ void add_bias_f32(float* x, const float* __restrict__ bias, int width, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        x[i] += bias[i % width];
    }
}
