package dev.patchwright.inference.engine.cpu;

import dev.patchwright.inference.engine.Kernels;
import dev.patchwright.inference.engine.KvCache;
import dev.patchwright.inference.engine.WeightMatrix;
import dev.patchwright.inference.engine.safetensors.DType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The reference kernels: plain Java loops, written so that the JIT keeps them in registers
 * (several float accumulators), with the large steps split across a fixed pool of threads. A
 * matrix row is decoded from its stored dtype once and then used for every token of the batch,
 * which is why a prompt costs less per token than decoding.
 *
 * <p>Decode's bf16 matrix-vector products use the JDK's vector API when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} ({@link #vectorized()}); {@link #scalar} keeps the
 * plain loops, the reference the vector path is tested against.
 */
public final class CpuKernels implements Kernels {

    /** Batches smaller than this decode each row inside the dot product instead of into a tile. */
    private static final int FUSED_BELOW = 8;

    /** Tokens whose rows of x meet each bf16 row on the vector path: up to about 600 KiB of x. */
    private static final int VECTOR_TOKEN_BLOCK = 32;

    /** Whether the vector module is in the boot layer, so that {@link VectorDot} can load. */
    private static final boolean VECTOR_MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final int threads;
    private final boolean vector;
    private final ForkJoinPool pool;

    /**
     * Kernels that run on {@code threads} threads.
     *
     * @throws IllegalArgumentException when {@code threads < 1}
     */
    public CpuKernels(int threads) {
        this(threads, VECTOR_MODULE);
    }

    private CpuKernels(int threads, boolean vector) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, found " + threads);
        }
        this.threads = threads;
        this.vector = vector;
        this.pool = new ForkJoinPool(threads);
    }

    /**
     * Kernels on {@code threads} threads that never use the vector API: the reference.
     *
     * @throws IllegalArgumentException when {@code threads < 1}
     */
    public static CpuKernels scalar(int threads) {
        return new CpuKernels(threads, false);
    }

    /** Kernels on every core the JVM sees. */
    public CpuKernels() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** Threads the kernels split work across. */
    public int threads() {
        return threads;
    }

    /** Whether bf16 decode products run on the vector API. */
    public boolean vectorized() {
        return vector;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int tokens, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        if (x.length < tokens * cols || out.length < tokens * rows) {
            throw new IllegalArgumentException(w + ": x holds " + x.length + " floats, out " + out.length + ", for " + tokens + " tokens");
        }
        if (vector && w.dtype() == DType.BF16) {
            // Every batch size takes this path and the same dot product, so a token's result
            // does not depend on the batch it came in (a sample equals its independent run).
            float[] split = new float[tokens * cols];
            for (int t = 0; t < tokens; t++) {
                VectorDot.splitEvenOdd(x, t * cols, cols, split, t * cols);
            }
            parallelFor(rows, (from, to) -> {
                short[] bits = new short[cols];
                // Blocks of tokens keep their rows of x in cache while the matrix streams past.
                for (int t0 = 0; t0 < tokens; t0 += VECTOR_TOKEN_BLOCK) {
                    int t1 = Math.min(tokens, t0 + VECTOR_TOKEN_BLOCK);
                    for (int r = from; r < to; r++) {
                        w.readBits(r, bits);
                        for (int t = t0; t < t1; t++) {
                            out[t * rows + r] = VectorDot.dotBf16(bits, split, t * cols, cols);
                        }
                    }
                }
            });
            return;
        }
        if (tokens < FUSED_BELOW) {
            // Few tokens: decoding a row to floats costs more than using it, so fuse the two.
            parallelFor(rows, (from, to) -> {
                short[] scratch = new short[cols];
                for (int r = from; r < to; r++) {
                    for (int t = 0; t < tokens; t++) {
                        out[t * rows + r] = w.dot(r, x, t * cols, scratch);
                    }
                }
            });
            return;
        }
        int tiles = (rows + TiledMatmul.ROW_TILE - 1) / TiledMatmul.ROW_TILE;
        parallelFor(tiles, (from, to) -> new TiledMatmul(w, x, tokens, out).run(from, to));
    }

    /**
     * The dot product of matmuls over decoded rows. It sums in the same order as
     * {@link WeightMatrix#dot}, so a token's result does not depend on the batch it came in.
     */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void rmsnorm(float[] x, float[] weight, int rows, float eps, float[] out) {
        int n = weight.length;
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double squares = 0;
            for (int i = 0; i < n; i++) {
                squares += x[o + i] * x[o + i];
            }
            float scale = (float) (1.0 / Math.sqrt(squares / n + eps));
            for (int i = 0; i < n; i++) {
                out[o + i] = x[o + i] * scale * weight[i];
            }
        }
    }

    @Override
    public void addBias(float[] x, float[] bias, int rows) {
        int n = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                x[r * n + i] += bias[i];
            }
        }
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int o = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float c = cos[t * half + i];
                    float s = sin[t * half + i];
                    float x1 = x[o + i];
                    float x2 = x[o + i + half];
                    x[o + i] = x1 * c - x2 * s;
                    x[o + i + half] = x2 * c + x1 * s;
                }
            }
        }
    }

    @Override
    public void attention(float[] q, int row, int tokens, int heads, int headDim, KvCache cache, int layer,
            int firstPosition, float[] out) {
        int kvDim = cache.kvDim();
        int group = heads / (kvDim / headDim);
        float scale = (float) (1.0 / Math.sqrt(headDim));
        List<KvCache> chain = new ArrayList<>();
        for (KvCache c = cache; c != null; c = c.parent()) {
            chain.add(c);
        }
        Collections.reverse(chain);
        parallelFor(tokens * heads, (from, to) -> {
            float[] scores = new float[firstPosition + tokens];
            for (int pair = from; pair < to; pair++) {
                int t = pair / heads;
                int h = pair % heads;
                int last = firstPosition + t;
                int qo = (row + t) * heads * headDim + h * headDim;
                int kvOffset = (h / group) * headDim;
                for (int s = 0; s < chain.size(); s++) {
                    KvCache owner = chain.get(s);
                    float[] keys = owner.keys(layer);
                    int end = segmentEnd(chain, s, last);
                    for (int p = owner.start(); p < end; p++) {
                        scores[p] = dot(q, qo, keys, (p - owner.start()) * kvDim + kvOffset, headDim) * scale;
                    }
                }
                softmax(scores, 0, last + 1);
                int oo = (row + t) * heads * headDim + h * headDim;
                Arrays.fill(out, oo, oo + headDim, 0f);
                for (int s = 0; s < chain.size(); s++) {
                    KvCache owner = chain.get(s);
                    float[] values = owner.values(layer);
                    int end = segmentEnd(chain, s, last);
                    for (int p = owner.start(); p < end; p++) {
                        float weight = scores[p];
                        int vo = (p - owner.start()) * kvDim + kvOffset;
                        for (int i = 0; i < headDim; i++) {
                            out[oo + i] += weight * values[vo + i];
                        }
                    }
                }
            }
        });
    }

    /** One past the last position that {@code chain[s]} serves to a query at position {@code last}. */
    private static int segmentEnd(List<KvCache> chain, int s, int last) {
        return s + 1 < chain.size() ? Math.min(last + 1, chain.get(s + 1).start()) : last + 1;
    }

    @Override
    public void siluMul(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    @Override
    public void softmax(float[] x, int offset, int length) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + length; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0;
        for (int i = offset; i < offset + length; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        float inverse = 1f / sum;
        for (int i = offset; i < offset + length; i++) {
            x[i] *= inverse;
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }

    private interface Range {
        void run(int from, int to);
    }

    /** Runs {@code body} over {@code [0, count)} in contiguous parts on the pool, and waits. */
    private void parallelFor(int count, Range body) {
        int parts = threads == 1 ? 1 : Math.min(count, threads * 4);
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts];
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) count * p / parts);
            int to = (int) ((long) count * (p + 1) / parts);
            tasks[p] = pool.submit(() -> body.run(from, to));
        }
        for (ForkJoinTask<?> task : tasks) {
            task.join();
        }
    }
}
