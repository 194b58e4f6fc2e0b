package dev.patchwright.inference.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a tiny Llama-architecture model folder with random weights: {@code config.json},
 * {@code model.safetensors} (f32) and a byte-level {@code tokenizer.json} whose vocabulary is the 256 bytes
 * plus ChatML's control tokens. It answers every prompt with garbage, quickly, so the local path (engine,
 * tokenizer, chat template, server, bot) can be checked end to end without downloading weights.
 */
public final class RandomModel {

    /** Ids 0 to 255 are the bytes; then these control tokens. */
    static final String[] CONTROL_TOKENS = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};

    /** Context length, {@code max_position_embeddings}: room for a bot's packed prompt at one token a byte. */
    public static final int CONTEXT = 16384;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VOCAB = 256 + CONTROL_TOKENS.length;

    private final int dim;
    private final int layers;
    private final int hidden;
    private final long seed;

    /**
     * A model of {@code layers} layers of width {@code dim} (4 attention heads, 2 key-value heads) and an MLP
     * of width {@code hidden}.
     *
     * @throws IllegalArgumentException when a size is not positive or {@code dim} is not a multiple of 8
     */
    public RandomModel(int dim, int layers, int hidden, long seed) {
        if (dim <= 0 || dim % 8 != 0 || layers <= 0 || hidden <= 0) {
            throw new IllegalArgumentException("dim must be a positive multiple of 8 and layers and hidden positive, were "
                    + dim + ", " + layers + ", " + hidden);
        }
        this.dim = dim;
        this.layers = layers;
        this.hidden = hidden;
        this.seed = seed;
    }

    /** Two layers of width 32: about 80 kB of weights. */
    public static RandomModel tiny(long seed) {
        return new RandomModel(32, 2, 64, seed);
    }

    /**
     * Writes the folder, creating it when needed.
     *
     * @return {@code folder}
     * @throws IOException when a file cannot be written
     */
    public Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), config().toPrettyString());
        Files.writeString(folder.resolve("tokenizer.json"), tokenizer().toPrettyString());
        writeWeights(folder.resolve("model.safetensors"));
        return folder;
    }

    private ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("hidden_size", dim);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", 4);
        c.put("num_key_value_heads", 2);
        c.put("intermediate_size", hidden);
        c.put("vocab_size", VOCAB);
        c.put("rms_norm_eps", 1e-6);
        c.put("rope_theta", 10000.0);
        c.put("tie_word_embeddings", false);
        c.put("max_position_embeddings", CONTEXT);
        c.put("eos_token_id", 256 + 2);
        c.put("torch_dtype", "float32");
        return c;
    }

    private static ObjectNode tokenizer() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < CONTROL_TOKENS.length; i++) {
            added.addObject().put("id", 256 + i).put("content", CONTROL_TOKENS[i]).put("special", true)
                    .put("normalized", false);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(byteChar(b)), b);
        }
        model.putArray("merges");
        return root;
    }

    /** GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves, the rest map past U+00FF. */
    private static char byteChar(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return (char) b;
        }
        int rank = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) {
                rank++;
            }
        }
        return (char) (256 + rank);
    }

    private Map<String, int[]> shapes() {
        int headDim = dim / 4;
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new int[] {VOCAB, dim});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "input_layernorm.weight", new int[] {dim});
            shapes.put(p + "self_attn.q_proj.weight", new int[] {dim, dim});
            shapes.put(p + "self_attn.k_proj.weight", new int[] {2 * headDim, dim});
            shapes.put(p + "self_attn.v_proj.weight", new int[] {2 * headDim, dim});
            shapes.put(p + "self_attn.o_proj.weight", new int[] {dim, dim});
            shapes.put(p + "post_attention_layernorm.weight", new int[] {dim});
            shapes.put(p + "mlp.gate_proj.weight", new int[] {hidden, dim});
            shapes.put(p + "mlp.up_proj.weight", new int[] {hidden, dim});
            shapes.put(p + "mlp.down_proj.weight", new int[] {dim, hidden});
        }
        shapes.put("model.norm.weight", new int[] {dim});
        shapes.put("lm_head.weight", new int[] {VOCAB, dim});
        return shapes;
    }

    /** The safetensors layout: 8-byte little-endian header length, JSON header, then little-endian f32 data. */
    private void writeWeights(Path file) throws IOException {
        Map<String, int[]> shapes = shapes();
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", "F32");
            ArrayNode shape = node.putArray("shape");
            long size = Float.BYTES;
            for (int d : e.getValue()) {
                shape.add(d);
                size *= d;
            }
            node.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(seed);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
            out.write(headerBytes);
            for (Map.Entry<String, int[]> e : shapes.entrySet()) {
                int count = 1;
                for (int d : e.getValue()) {
                    count *= d;
                }
                boolean norm = e.getKey().endsWith("norm.weight");
                ByteBuffer data = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    // Entries of order 1/4 keep activations of order one at these widths.
                    double r = random.nextDouble() * 2 - 1;
                    data.putFloat(norm ? 1f : (float) (r * 0.25));
                }
                out.write(data.array());
            }
        }
    }
}
