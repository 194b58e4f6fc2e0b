package dev.patchwright.inference.engine;

/**
 * The numeric steps of a forward pass. Activations are row-major float arrays, one row per token
 * (or per token and head). {@link dev.patchwright.inference.engine.cpu.CpuKernels} is the reference
 * implementation; a GPU implementation must give the same results within float rounding.
 */
public interface Kernels extends AutoCloseable {

    /** {@code out (tokens, w.rows) = x (tokens, w.cols) · wᵀ}. */
    void matmul(WeightMatrix w, float[] x, int tokens, float[] out);

    /**
     * Each of {@code rows} rows of {@code weight.length} floats: {@code out = x / sqrt(mean(x²) + eps) * weight}.
     * {@code out} may be {@code x}.
     */
    void rmsnorm(float[] x, float[] weight, int rows, float eps, float[] out);

    /** {@code x (rows, bias.length) += bias} on every row. */
    void addBias(float[] x, float[] bias, int rows);

    /** {@code x[0..n) += y[0..n)}: the residual connection. */
    void add(float[] x, float[] y, int n);

    /**
     * Rotary position embedding in place, HF "rotate half" convention: dimension {@code i} pairs
     * with {@code i + headDim/2}.
     *
     * @param x (tokens, heads, headDim)
     * @param cos (tokens, headDim/2) cosine of each token's angle per pair
     * @param sin (tokens, headDim/2)
     */
    void rope(float[] x, int tokens, int heads, int headDim, float[] cos, float[] sin);

    /**
     * Causal grouped-query attention of {@code tokens} consecutive queries of one sequence: the
     * query at {@code firstPosition + t} attends to cache positions {@code 0 .. firstPosition + t},
     * whose keys and values must already be in {@code cache}.
     *
     * @param q (rows, heads * headDim); this sequence's queries start at row {@code row}
     * @param out as {@code q}; the same rows are written
     */
    void attention(float[] q, int row, int tokens, int heads, int headDim, KvCache cache, int layer,
            int firstPosition, float[] out);

    /** {@code gate[0..n) = silu(gate) * up}: SwiGLU's gating. */
    void siluMul(float[] gate, float[] up, int n);

    /** Softmax in place over {@code x[offset .. offset + length)}. */
    void softmax(float[] x, int offset, int length);

    /** Releases threads or device memory. */
    @Override
    void close();
}
