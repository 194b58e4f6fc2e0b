package dev.patchwright.inference.engine;

/**
 * A model's tensors, named after the roles they play in the forward pass. Matrices stay in their
 * stored dtype (see {@link WeightMatrix}); vectors (norms, biases) are small and held as floats.
 * Shapes are given as in the checkpoint, {@code (out, in)} for a projection; per-layer fields are
 * indexed by layer first.
 */
public final class Weights {

    /** Token embeddings. */
    public final WeightMatrix embed; // (vocab, dim)
    public final float[][] attnNorm; // (layer, dim)
    public final WeightMatrix[] wq; // (layer) (heads * head_dim, dim)
    public final WeightMatrix[] wk; // (layer) (kv_heads * head_dim, dim)
    public final WeightMatrix[] wv; // (layer) (kv_heads * head_dim, dim)
    public final WeightMatrix[] wo; // (layer) (dim, heads * head_dim)
    /** Projection biases; {@code null} when the model has none. */
    public final float[][] bq; // (layer, heads * head_dim)
    public final float[][] bk; // (layer, kv_heads * head_dim)
    public final float[][] bv; // (layer, kv_heads * head_dim)
    /** Per-head query and key norms (Qwen3); {@code null} otherwise. */
    public final float[][] qNorm; // (layer, head_dim)
    public final float[][] kNorm; // (layer, head_dim)
    public final float[][] ffnNorm; // (layer, dim)
    /** The MLP: {@code w2(silu(w1 x) * w3 x)}. */
    public final WeightMatrix[] w1; // (layer) gate (hidden, dim)
    public final WeightMatrix[] w2; // (layer) down (dim, hidden)
    public final WeightMatrix[] w3; // (layer) up (hidden, dim)
    public final float[] finalNorm; // (dim)
    /** The output head; the same object as {@link #embed} when embeddings are tied. */
    public final WeightMatrix output; // (vocab, dim)

    /** Where weights come from: checks name, dtype and shape, and says which is wrong. */
    public interface Source {
        /** The tensor {@code name} as a {@code (rows, cols)} matrix. */
        WeightMatrix matrix(String name, int rows, int cols) throws ModelLoadException;

        /** The tensor {@code name} of shape {@code [length]} as floats. */
        float[] vector(String name, int length) throws ModelLoadException;
    }

    /**
     * Loads every tensor the configuration calls for, by its Hugging Face name.
     *
     * @throws ModelLoadException naming the first tensor that is missing, has the wrong shape or an
     *         unsupported dtype
     */
    public static Weights load(ModelConfig c, Source source) throws ModelLoadException {
        return new Weights(c, source);
    }

    private Weights(ModelConfig c, Source s) throws ModelLoadException {
        int n = c.layers();
        embed = s.matrix("model.embed_tokens.weight", c.vocabSize(), c.dim());
        attnNorm = new float[n][];
        wq = new WeightMatrix[n];
        wk = new WeightMatrix[n];
        wv = new WeightMatrix[n];
        wo = new WeightMatrix[n];
        bq = c.attentionBias() ? new float[n][] : null;
        bk = c.attentionBias() ? new float[n][] : null;
        bv = c.attentionBias() ? new float[n][] : null;
        qNorm = c.qkNorm() ? new float[n][] : null;
        kNorm = c.qkNorm() ? new float[n][] : null;
        ffnNorm = new float[n][];
        w1 = new WeightMatrix[n];
        w2 = new WeightMatrix[n];
        w3 = new WeightMatrix[n];
        for (int l = 0; l < n; l++) {
            String p = "model.layers." + l + ".";
            attnNorm[l] = s.vector(p + "input_layernorm.weight", c.dim());
            wq[l] = s.matrix(p + "self_attn.q_proj.weight", c.qDim(), c.dim());
            wk[l] = s.matrix(p + "self_attn.k_proj.weight", c.kvDim(), c.dim());
            wv[l] = s.matrix(p + "self_attn.v_proj.weight", c.kvDim(), c.dim());
            wo[l] = s.matrix(p + "self_attn.o_proj.weight", c.dim(), c.qDim());
            if (c.attentionBias()) {
                bq[l] = s.vector(p + "self_attn.q_proj.bias", c.qDim());
                bk[l] = s.vector(p + "self_attn.k_proj.bias", c.kvDim());
                bv[l] = s.vector(p + "self_attn.v_proj.bias", c.kvDim());
            }
            if (c.qkNorm()) {
                qNorm[l] = s.vector(p + "self_attn.q_norm.weight", c.headDim());
                kNorm[l] = s.vector(p + "self_attn.k_norm.weight", c.headDim());
            }
            ffnNorm[l] = s.vector(p + "post_attention_layernorm.weight", c.dim());
            w1[l] = s.matrix(p + "mlp.gate_proj.weight", c.hiddenDim(), c.dim());
            w2[l] = s.matrix(p + "mlp.down_proj.weight", c.dim(), c.hiddenDim());
            w3[l] = s.matrix(p + "mlp.up_proj.weight", c.hiddenDim(), c.dim());
        }
        finalNorm = s.vector("model.norm.weight", c.dim());
        output = c.tiedEmbeddings() ? embed : s.matrix("lm_head.weight", c.vocabSize(), c.dim());
    }

    /** Bytes of matrices one decode step reads: every projection plus the output head. */
    public long bytesPerToken() {
        long bytes = output.byteSize();
        for (int l = 0; l < wq.length; l++) {
            bytes += wq[l].byteSize() + wk[l].byteSize() + wv[l].byteSize() + wo[l].byteSize()
                    + w1[l].byteSize() + w2[l].byteSize() + w3[l].byteSize();
        }
        return bytes;
    }
}
