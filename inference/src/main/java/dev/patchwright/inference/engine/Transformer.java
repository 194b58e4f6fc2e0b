package dev.patchwright.inference.engine;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The decoder-only transformer forward pass of Llama, Qwen2 and Qwen3: token embedding, then per
 * layer RMSNorm, grouped-query attention with RoPE (plus q/k/v biases or per-head q/k norms where
 * the architecture has them) and a SwiGLU MLP, each with a residual connection; a final RMSNorm
 * and the output head give logits. Tokens are appended to KV caches at their next positions.
 *
 * <p>A call takes one or more sequences, each with its own cache, and runs them as one batch: a
 * prompt is many tokens of one sequence, a decode step of N samples is one token of each.
 * Thread-safe as long as no cache is used by two calls at once.
 */
public final class Transformer {

    private final ModelConfig c;
    private final Weights w;
    private final Kernels kernels;
    private final double[] inverseFrequencies; // (head_dim / 2)

    public Transformer(ModelConfig config, Weights weights, Kernels kernels) {
        this.c = config;
        this.w = weights;
        this.kernels = kernels;
        this.inverseFrequencies = RopeScaling.inverseFrequencies(config.headDim(), config.ropeTheta(), config.ropeScaling());
    }

    public ModelConfig config() {
        return c;
    }

    public Weights weights() {
        return w;
    }

    /**
     * Runs {@code tokens} at the cache's next positions and returns the logits after the last one.
     *
     * @return (vocab) unnormalised log-probabilities of the next token
     * @throws IllegalArgumentException on an empty batch, a token id outside the vocabulary, or a full cache
     */
    public float[] forward(int[] tokens, KvCache cache) {
        return forwardBatch(new int[][] {tokens}, new KvCache[] {cache})[0];
    }

    /** As {@link #forward}, but returns the logits after every token: (tokens, vocab). */
    public float[][] forwardAll(int[] tokens, KvCache cache) {
        float[] logits = run(new int[][] {tokens}, new KvCache[] {cache}, true);
        float[][] rows = new float[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            rows[t] = Arrays.copyOfRange(logits, t * c.vocabSize(), (t + 1) * c.vocabSize());
        }
        return rows;
    }

    /**
     * Runs several sequences in one batch, {@code tokens[s]} appended to {@code caches[s]}.
     *
     * @return (sequences, vocab) the logits after each sequence's last token
     * @throws IllegalArgumentException as {@link #forward}, or when a cache appears twice
     */
    public float[][] forwardBatch(int[][] tokens, KvCache[] caches) {
        float[] logits = run(tokens, caches, false);
        float[][] rows = new float[tokens.length][];
        for (int s = 0; s < tokens.length; s++) {
            rows[s] = Arrays.copyOfRange(logits, s * c.vocabSize(), (s + 1) * c.vocabSize());
        }
        return rows;
    }

    private float[] run(int[][] tokens, KvCache[] caches, boolean allLogits) {
        int[] rowStart = check(tokens, caches);
        int rows = rowStart[tokens.length];
        int dim = c.dim();
        int half = c.headDim() / 2;
        float[] x = new float[rows * dim]; // (rows, dim) the residual stream
        float[] cos = new float[rows * half]; // (rows, head_dim / 2)
        float[] sin = new float[rows * half];
        short[] scratch = new short[dim];
        for (int s = 0; s < tokens.length; s++) {
            for (int t = 0; t < tokens[s].length; t++) {
                int row = rowStart[s] + t;
                w.embed.readRow(tokens[s][t], x, row * dim, scratch);
                int position = caches[s].length() + t;
                for (int i = 0; i < half; i++) {
                    double angle = position * inverseFrequencies[i];
                    cos[row * half + i] = (float) Math.cos(angle);
                    sin[row * half + i] = (float) Math.sin(angle);
                }
            }
        }
        float[] xb = new float[rows * dim]; // (rows, dim) normed input of a block
        float[] q = new float[rows * c.qDim()]; // (rows, heads, head_dim)
        float[] k = new float[rows * c.kvDim()]; // (rows, kv_heads, head_dim)
        float[] v = new float[rows * c.kvDim()];
        float[] attended = new float[rows * c.qDim()]; // (rows, heads, head_dim)
        float[] projected = new float[rows * dim]; // (rows, dim)
        float[] gate = new float[rows * c.hiddenDim()]; // (rows, hidden)
        float[] up = new float[rows * c.hiddenDim()];
        for (int l = 0; l < c.layers(); l++) {
            kernels.rmsnorm(x, w.attnNorm[l], rows, c.normEps(), xb);
            kernels.matmul(w.wq[l], xb, rows, q);
            kernels.matmul(w.wk[l], xb, rows, k);
            kernels.matmul(w.wv[l], xb, rows, v);
            if (w.bq != null) {
                kernels.addBias(q, w.bq[l], rows);
                kernels.addBias(k, w.bk[l], rows);
                kernels.addBias(v, w.bv[l], rows);
            }
            if (w.qNorm != null) {
                kernels.rmsnorm(q, w.qNorm[l], rows * c.heads(), c.normEps(), q);
                kernels.rmsnorm(k, w.kNorm[l], rows * c.kvHeads(), c.normEps(), k);
            }
            kernels.rope(q, rows, c.heads(), c.headDim(), cos, sin);
            kernels.rope(k, rows, c.kvHeads(), c.headDim(), cos, sin);
            for (int s = 0; s < tokens.length; s++) {
                caches[s].write(l, k, v, rowStart[s], tokens[s].length);
                kernels.attention(q, rowStart[s], tokens[s].length, c.heads(), c.headDim(), caches[s], l,
                        caches[s].length(), attended);
            }
            kernels.matmul(w.wo[l], attended, rows, projected);
            kernels.add(x, projected, rows * dim);
            kernels.rmsnorm(x, w.ffnNorm[l], rows, c.normEps(), xb);
            kernels.matmul(w.w1[l], xb, rows, gate);
            kernels.matmul(w.w3[l], xb, rows, up);
            kernels.siluMul(gate, up, rows * c.hiddenDim());
            kernels.matmul(w.w2[l], gate, rows, projected);
            kernels.add(x, projected, rows * dim);
        }
        for (int s = 0; s < tokens.length; s++) {
            caches[s].advance(tokens[s].length);
        }
        return head(x, rowStart, allLogits);
    }

    /** Final norm and output head, only on the rows whose logits are wanted: a prompt needs one. */
    private float[] head(float[] x, int[] rowStart, boolean allRows) {
        int dim = c.dim();
        int sequences = rowStart.length - 1;
        int outRows = allRows ? rowStart[sequences] : sequences;
        float[] picked = new float[outRows * dim];
        for (int r = 0; r < outRows; r++) {
            int from = allRows ? r : rowStart[r + 1] - 1;
            System.arraycopy(x, from * dim, picked, r * dim, dim);
        }
        kernels.rmsnorm(picked, w.finalNorm, outRows, c.normEps(), picked);
        float[] logits = new float[outRows * c.vocabSize()];
        kernels.matmul(w.output, picked, outRows, logits);
        return logits;
    }

    /** Checks the batch and returns each sequence's first row, plus the total row count last. */
    private int[] check(int[][] tokens, KvCache[] caches) {
        if (tokens.length == 0 || tokens.length != caches.length) {
            throw new IllegalArgumentException("need one cache per sequence and at least one sequence; found "
                    + tokens.length + " sequences and " + caches.length + " caches");
        }
        Map<KvCache, Boolean> seen = new IdentityHashMap<>();
        int[] rowStart = new int[tokens.length + 1];
        for (int s = 0; s < tokens.length; s++) {
            if (tokens[s].length == 0) {
                throw new IllegalArgumentException("sequence " + s + " has no tokens");
            }
            if (seen.put(caches[s], Boolean.TRUE) != null) {
                throw new IllegalArgumentException("sequence " + s + " uses a cache that another sequence of the batch uses");
            }
            if (caches[s].kvDim() != c.kvDim() || caches[s].layers() != c.layers()) {
                throw new IllegalArgumentException("sequence " + s + ": cache of " + caches[s].layers() + " layers x " + caches[s].kvDim()
                        + " floats does not fit the model's " + c.layers() + " x " + c.kvDim());
            }
            if (caches[s].length() + tokens[s].length > caches[s].limit()) {
                throw new IllegalArgumentException("sequence " + s + ": KV cache full: " + caches[s].length() + " + "
                        + tokens[s].length + " positions exceed its limit of " + caches[s].limit());
            }
            for (int token : tokens[s]) {
                if (token < 0 || token >= c.vocabSize()) {
                    throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + c.vocabSize() + ")");
                }
            }
            rowStart[s + 1] = rowStart[s] + tokens[s].length;
        }
        return rowStart;
    }
}
