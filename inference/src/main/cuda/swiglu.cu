// SwiGLU's gating in place: gate = silu(gate) * up over n floats. Twin: CpuKernels.siluMul.
extern "C" __global__ void silu_mul_f32(float* gate, const float* __restrict__ up, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float g = gate[i];
        gate[i] = g / (1.0f + expf(-g)) * up[i];
    }
}
