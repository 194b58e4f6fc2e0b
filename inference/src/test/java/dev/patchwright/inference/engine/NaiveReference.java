package dev.patchwright.inference.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A deliberately plain float64 forward pass, written from the Hugging Face modeling code
 * (LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM) and sharing nothing with the engine: it
 * reads the safetensors files with its own parser, holds every weight as doubles, and recomputes
 * the whole sequence for every call, with no cache.
 */
final class NaiveReference {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode config;
    private final Map<String, double[]> tensors = new HashMap<>();
    private final int dim;
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final double eps;

    NaiveReference(Path folder) throws IOException {
        config = JSON.readTree(folder.resolve("config.json").toFile());
        Path index = folder.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            java.util.Set<String> files = new java.util.TreeSet<>();
            JSON.readTree(index.toFile()).get("weight_map").forEach(f -> files.add(f.asText()));
            for (String f : files) {
                read(folder.resolve(f));
            }
        } else {
            read(folder.resolve("model.safetensors"));
        }
        dim = config.get("hidden_size").asInt();
        layers = config.get("num_hidden_layers").asInt();
        heads = config.get("num_attention_heads").asInt();
        kvHeads = config.get("num_key_value_heads").asInt();
        headDim = config.has("head_dim") ? config.get("head_dim").asInt() : dim / heads;
        eps = config.get("rms_norm_eps").asDouble();
    }

    private void read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buffer.getLong(0);
        JsonNode header = JSON.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            String dtype = e.getValue().get("dtype").asText();
            int begin = 8 + headerLength + e.getValue().get("data_offsets").get(0).asInt();
            int end = 8 + headerLength + e.getValue().get("data_offsets").get(1).asInt();
            int size = dtype.equals("F32") ? 4 : 2;
            double[] values = new double[(end - begin) / size];
            for (int i = 0; i < values.length; i++) {
                int at = begin + i * size;
                values[i] = switch (dtype) {
                    case "F32" -> buffer.getFloat(at);
                    case "BF16" -> Float.intBitsToFloat((buffer.getShort(at) & 0xffff) << 16);
                    case "F16" -> half(buffer.getShort(at) & 0xffff);
                    default -> throw new IOException("dtype " + dtype);
                };
            }
            tensors.put(e.getKey(), values);
        }
    }

    /** IEEE half to double, from the definition: (-1)^s * 2^(e-15) * 1.m, or 2^-14 * 0.m when e = 0. */
    private static double half(int bits) {
        double sign = (bits & 0x8000) != 0 ? -1 : 1;
        int e = (bits >> 10) & 0x1f;
        int m = bits & 0x3ff;
        return e == 0 ? sign * Math.pow(2, -14) * (m / 1024.0) : sign * Math.pow(2, e - 15) * (1 + m / 1024.0);
    }

    /** Logits (tokens, vocab) after every token of the sequence, positions 0, 1, 2, ... */
    double[][] logits(int[] tokens) {
        int n = tokens.length;
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row("model.embed_tokens.weight", tokens[t], dim);
        }
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], tensors.get(p + "input_layernorm.weight"));
                q[t] = linear(p + "self_attn.q_proj", h);
                k[t] = linear(p + "self_attn.k_proj", h);
                v[t] = linear(p + "self_attn.v_proj", h);
                if (tensors.containsKey(p + "self_attn.q_norm.weight")) {
                    perHeadNorm(q[t], tensors.get(p + "self_attn.q_norm.weight"));
                    perHeadNorm(k[t], tensors.get(p + "self_attn.k_norm.weight"));
                }
                rotate(q[t], t);
                rotate(k[t], t);
            }
            for (int t = 0; t < n; t++) {
                double[] attended = new double[heads * headDim];
                for (int h = 0; h < heads; h++) {
                    int kvh = h / (heads / kvHeads);
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < headDim; i++) {
                            dot += q[t][h * headDim + i] * k[s][kvh * headDim + i];
                        }
                        scores[s] = dot / Math.sqrt(headDim);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < headDim; i++) {
                            attended[h * headDim + i] += scores[s] / sum * v[s][kvh * headDim + i];
                        }
                    }
                }
                add(x[t], linear(p + "self_attn.o_proj", attended));
            }
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], tensors.get(p + "post_attention_layernorm.weight"));
                double[] gate = linear(p + "mlp.gate_proj", h);
                double[] up = linear(p + "mlp.up_proj", h);
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                add(x[t], linear(p + "mlp.down_proj", gate));
            }
        }
        String head = tensors.containsKey("lm_head.weight") ? "lm_head" : "model.embed_tokens";
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = linear(head, rmsNorm(x[t], tensors.get("model.norm.weight")));
        }
        return logits;
    }

    private double[] row(String name, int row, int width) {
        double[] out = new double[width];
        System.arraycopy(tensors.get(name), row * width, out, 0, width);
        return out;
    }

    /** y = W x (+ b), W stored (out, in). */
    private double[] linear(String prefix, double[] x) {
        double[] w = tensors.get(prefix + ".weight");
        double[] b = tensors.get(prefix + ".bias");
        int out = w.length / x.length;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double sum = b == null ? 0 : b[o];
            for (int i = 0; i < x.length; i++) {
                sum += w[o * x.length + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    private double[] rmsNorm(double[] x, double[] weight) {
        double mean = 0;
        for (double v : x) {
            mean += v * v / x.length;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = weight[i] * (x[i] / Math.sqrt(mean + eps));
        }
        return y;
    }

    private void perHeadNorm(double[] x, double[] weight) {
        for (int h = 0; h < x.length / headDim; h++) {
            double[] head = new double[headDim];
            System.arraycopy(x, h * headDim, head, 0, headDim);
            System.arraycopy(rmsNorm(head, weight), 0, x, h * headDim, headDim);
        }
    }

    /** HF apply_rotary_pos_emb: x * cos + rotate_half(x) * sin, with rotate_half(x) = [-x2, x1]. */
    private void rotate(double[] x, int position) {
        int half = headDim / 2;
        for (int h = 0; h < x.length / headDim; h++) {
            int o = h * headDim;
            for (int i = 0; i < half; i++) {
                double angle = position * inverseFrequency(i);
                double x1 = x[o + i];
                double x2 = x[o + i + half];
                x[o + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
                x[o + i + half] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
            }
        }
    }

    /** HF _compute_default_rope_parameters, then _compute_llama3_parameters when configured. */
    private double inverseFrequency(int i) {
        double base = config.get("rope_theta").asDouble();
        double inv = 1 / Math.pow(base, 2.0 * i / headDim);
        JsonNode scaling = config.path("rope_scaling");
        if (!scaling.path("rope_type").asText("").equals("llama3")) {
            return inv;
        }
        double factor = scaling.get("factor").asDouble();
        double low = scaling.get("low_freq_factor").asDouble();
        double high = scaling.get("high_freq_factor").asDouble();
        double original = scaling.get("original_max_position_embeddings").asDouble();
        double wavelen = 2 * Math.PI / inv;
        double scaled = wavelen > original / low ? inv / factor : inv;
        boolean medium = !(wavelen < original / high) && !(wavelen > original / low);
        if (medium) {
            double smooth = (original / wavelen - low) / (high - low);
            scaled = (1 - smooth) * scaled / factor + smooth * scaled;
        }
        return scaled;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
