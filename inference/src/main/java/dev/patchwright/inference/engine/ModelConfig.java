package dev.patchwright.inference.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Hugging Face {@code config.json} the forward pass needs.
 *
 * @param architecture the model family
 * @param dim hidden size, {@code hidden_size}
 * @param layers {@code num_hidden_layers}
 * @param heads query heads, {@code num_attention_heads}
 * @param kvHeads key/value heads, {@code num_key_value_heads} (grouped-query attention)
 * @param headDim dimensions per head: {@code head_dim}, else {@code dim / heads}
 * @param hiddenDim the MLP's inner size, {@code intermediate_size}
 * @param vocabSize {@code vocab_size}
 * @param normEps RMSNorm epsilon, {@code rms_norm_eps}
 * @param ropeTheta RoPE base, {@code rope_theta}
 * @param ropeScaling llama3 scaling, or {@code null}
 * @param tiedEmbeddings {@code tie_word_embeddings}: the output head reuses the token embeddings
 * @param attentionBias whether q, k and v projections carry biases (always for Qwen2)
 * @param maxPositions {@code max_position_embeddings}
 * @param eosTokenIds {@code eos_token_id}, one id or a list (empty when absent)
 */
public record ModelConfig(Architecture architecture, int dim, int layers, int heads, int kvHeads, int headDim,
        int hiddenDim, int vocabSize, float normEps, double ropeTheta, RopeScaling ropeScaling,
        boolean tiedEmbeddings, boolean attentionBias, int maxPositions, List<Integer> eosTokenIds) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || hiddenDim <= 0 || vocabSize <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + this);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for RoPE");
        }
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Whether queries and keys get a per-head RMSNorm before RoPE (Qwen3). */
    public boolean qkNorm() {
        return architecture == Architecture.QWEN3;
    }

    /** Width of the key and value rows: {@code kvHeads * headDim}. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Width of the query rows and the attention output: {@code heads * headDim}. */
    public int qDim() {
        return heads * headDim;
    }

    /**
     * Reads a {@code config.json}.
     *
     * @throws ModelLoadException when the file is missing or not JSON, a required field is missing
     *         or invalid, or the architecture or RoPE scaling is one the engine does not run
     */
    public static ModelConfig read(Path configJson) throws ModelLoadException {
        JsonNode root;
        try {
            root = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(configJson + ": cannot read config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(configJson + ": expected a JSON object");
        }
        return parse(configJson.toString(), root);
    }

    static ModelConfig parse(String where, JsonNode root) throws ModelLoadException {
        JsonNode names = root.path("architectures");
        String name = names.isArray() && names.size() > 0 ? names.get(0).asText() : null;
        Architecture architecture = Architecture.named(name);
        if (architecture == null) {
            throw new ModelLoadException(where + ": unsupported architecture " + (name == null ? "(none given)" : "\"" + name + "\"")
                    + "; the engine runs LlamaForCausalLM, Qwen2ForCausalLM and Qwen3ForCausalLM");
        }
        if (root.path("use_sliding_window").asBoolean(false)) {
            throw new ModelLoadException(where + ": use_sliding_window is true; the engine runs full attention only");
        }
        if (root.path("mlp_bias").asBoolean(false)) {
            throw new ModelLoadException(where + ": mlp_bias is true; the engine runs MLPs without biases");
        }
        int dim = positive(where, root, "hidden_size");
        int heads = positive(where, root, "num_attention_heads");
        int kvHeads = root.has("num_key_value_heads") ? positive(where, root, "num_key_value_heads") : heads;
        int headDim = root.hasNonNull("head_dim") ? positive(where, root, "head_dim") : dim / heads;
        boolean bias = architecture == Architecture.QWEN2 || root.path("attention_bias").asBoolean(false);
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = root.path("eos_token_id");
        if (eosNode.isIntegralNumber()) {
            eos.add(eosNode.asInt());
        } else if (eosNode.isArray()) {
            eosNode.forEach(id -> eos.add(id.asInt()));
        }
        try {
            return new ModelConfig(architecture, dim, positive(where, root, "num_hidden_layers"), heads, kvHeads, headDim,
                    positive(where, root, "intermediate_size"), positive(where, root, "vocab_size"),
                    (float) number(where, root, "rms_norm_eps", 1e-6), number(where, root, "rope_theta", 10000.0),
                    ropeScaling(where, root.path("rope_scaling")), root.path("tie_word_embeddings").asBoolean(false), bias,
                    root.path("max_position_embeddings").asInt(Integer.MAX_VALUE), eos);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(where + ": " + e.getMessage(), e);
        }
    }

    private static RopeScaling ropeScaling(String where, JsonNode node) throws ModelLoadException {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        String type = node.path("rope_type").asText(node.path("type").asText("default"));
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new ModelLoadException(where + ": unsupported rope_scaling type \"" + type + "\"; the engine runs llama3 scaling or none");
        }
        try {
            return new RopeScaling(number(where, node, "factor", Double.NaN), number(where, node, "low_freq_factor", Double.NaN),
                    number(where, node, "high_freq_factor", Double.NaN), positive(where, node, "original_max_position_embeddings"));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(where + ": " + e.getMessage(), e);
        }
    }

    private static int positive(String where, JsonNode node, String field) throws ModelLoadException {
        JsonNode value = node.path(field);
        if (!value.isIntegralNumber() || value.asLong() <= 0 || value.asLong() > Integer.MAX_VALUE) {
            throw new ModelLoadException(where + ": " + field + " must be a positive integer, found "
                    + (value.isMissingNode() ? "nothing" : value.toString()));
        }
        return value.asInt();
    }

    private static double number(String where, JsonNode node, String field, double fallback) throws ModelLoadException {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            if (Double.isNaN(fallback)) {
                throw new ModelLoadException(where + ": " + field + " is required");
            }
            return fallback;
        }
        if (!value.isNumber()) {
            throw new ModelLoadException(where + ": " + field + " must be a number, found " + value);
        }
        return value.asDouble();
    }
}
