package dev.patchwright.inference.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * A small model folder with random weights, written as real {@code config.json} and safetensors
 * files, in the tensor names and shapes Hugging Face uses for each architecture. Settings are
 * fields with defaults; tests change them, or damage single tensors, before {@link #write}.
 */
final class TinyModel {

    private static final ObjectMapper JSON = new ObjectMapper();

    String architecture = "LlamaForCausalLM";
    String dtype = "BF16";
    int dim = 32;
    int layers = 2;
    int heads = 4;
    int kvHeads = 2;
    Integer headDim;
    int hidden = 48;
    int vocab = 64;
    boolean tied;
    boolean llama3Scaling;
    boolean attentionBias;
    int shards = 1;
    double ropeTheta = 10000;
    long seed = 1;
    /** Scale of random matrix entries; 1/8 keeps activations of order one at these sizes. */
    float scale = 0.125f;
    final Map<String, long[]> shapeOverrides = new LinkedHashMap<>();
    final Map<String, String> dtypeOverrides = new LinkedHashMap<>();
    final java.util.Set<String> omitted = new java.util.HashSet<>();

    /** The three architectures, named, as the GPU tests' parameters: a supplier of each one's model. */
    static Stream<Arguments> architectures() {
        return Stream.of(Arguments.of("Llama, llama3 RoPE scaling", (Supplier<TinyModel>) TinyModel::llama),
                Arguments.of("Qwen2, q/k/v biases", (Supplier<TinyModel>) TinyModel::qwen2),
                Arguments.of("Qwen3, q/k norms, head_dim 12", (Supplier<TinyModel>) TinyModel::qwen3));
    }

    static TinyModel llama() {
        TinyModel m = new TinyModel();
        m.llama3Scaling = true;
        return m;
    }

    static TinyModel qwen2() {
        TinyModel m = new TinyModel();
        m.architecture = "Qwen2ForCausalLM";
        m.ropeTheta = 1_000_000;
        return m;
    }

    static TinyModel qwen3() {
        TinyModel m = new TinyModel();
        m.architecture = "Qwen3ForCausalLM";
        m.headDim = 12; // differs from dim / heads = 8, as in real Qwen3 models
        m.ropeTheta = 1_000_000;
        return m;
    }

    int headDimension() {
        return headDim != null ? headDim : dim / heads;
    }

    /** Every tensor the architecture needs, name to shape, in checkpoint order. */
    Map<String, long[]> shapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int hd = headDimension();
        boolean bias = attentionBias || architecture.equals("Qwen2ForCausalLM");
        shapes.put("model.embed_tokens.weight", new long[] {vocab, dim});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {dim});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {heads * hd, dim});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kvHeads * hd, dim});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kvHeads * hd, dim});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {dim, heads * hd});
            if (bias) {
                shapes.put(p + "self_attn.q_proj.bias", new long[] {heads * hd});
                shapes.put(p + "self_attn.k_proj.bias", new long[] {kvHeads * hd});
                shapes.put(p + "self_attn.v_proj.bias", new long[] {kvHeads * hd});
            }
            if (architecture.equals("Qwen3ForCausalLM")) {
                shapes.put(p + "self_attn.q_norm.weight", new long[] {hd});
                shapes.put(p + "self_attn.k_norm.weight", new long[] {hd});
            }
            shapes.put(p + "post_attention_layernorm.weight", new long[] {dim});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {hidden, dim});
            shapes.put(p + "mlp.up_proj.weight", new long[] {hidden, dim});
            shapes.put(p + "mlp.down_proj.weight", new long[] {dim, hidden});
        }
        shapes.put("model.norm.weight", new long[] {dim});
        if (!tied) {
            shapes.put("lm_head.weight", new long[] {vocab, dim});
        }
        return shapes;
    }

    ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(architecture);
        c.put("hidden_size", dim);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        if (headDim != null) {
            c.put("head_dim", headDim);
        }
        c.put("intermediate_size", hidden);
        c.put("vocab_size", vocab);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", ropeTheta);
        c.put("tie_word_embeddings", tied);
        c.put("max_position_embeddings", 4096);
        c.put("attention_bias", attentionBias);
        c.put("eos_token_id", vocab - 1);
        c.put("torch_dtype", dtype.equals("BF16") ? "bfloat16" : dtype.equals("F16") ? "float16" : "float32");
        if (llama3Scaling) {
            ObjectNode s = c.putObject("rope_scaling");
            s.put("rope_type", "llama3");
            s.put("factor", 8.0);
            s.put("low_freq_factor", 1.0);
            s.put("high_freq_factor", 4.0);
            // Small, so that this tiny head_dim has wavelengths in all three bands.
            s.put("original_max_position_embeddings", 64);
        }
        return c;
    }

    /** Writes the folder: config.json and one file, or shards with their index. */
    Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), config().toPrettyString());
        SplittableRandom random = new SplittableRandom(seed);
        SafetensorsWriter[] writers = new SafetensorsWriter[shards];
        for (int s = 0; s < shards; s++) {
            writers[s] = new SafetensorsWriter().metadata("format", "pt");
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode weightMap = index.putObject("weight_map");
        int i = 0;
        for (Map.Entry<String, long[]> e : shapes().entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            float[] values = values(name, shape, random);
            if (omitted.contains(name)) {
                continue;
            }
            int shard = i++ * shards / shapes().size();
            writers[shard].add(name, dtypeOverrides.getOrDefault(name, dtype), shapeOverrides.getOrDefault(name, shape), values);
            weightMap.put(name, shardName(shard));
        }
        if (shards == 1) {
            writers[0].write(folder.resolve("model.safetensors"));
        } else {
            for (int s = 0; s < shards; s++) {
                writers[s].write(folder.resolve(shardName(s)));
            }
            Files.writeString(folder.resolve("model.safetensors.index.json"), index.toPrettyString());
        }
        return folder;
    }

    private String shardName(int shard) {
        return String.format("model-%05d-of-%05d.safetensors", shard + 1, shards);
    }

    private float[] values(String name, long[] shape, SplittableRandom random) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] values = new float[n];
        boolean norm = name.endsWith("norm.weight");
        for (int i = 0; i < n; i++) {
            // Multiples of 2^-10 (norms: 1 + multiples of 2^-7) below 1/4 are exact in bf16, f16 and
            // f32 and clear of f16's subnormals: every dtype then holds the very same model.
            double r = random.nextDouble() * 2 - 1;
            values[i] = norm ? 1 + Math.round(r * 32) / 128f : Math.round(r * scale * 1024) / 1024f;
        }
        return values;
    }
}
