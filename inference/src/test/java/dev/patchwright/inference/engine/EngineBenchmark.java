package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cpu.CpuKernels;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * CPU engine speed on a model shaped like Qwen2.5-0.5B (hidden 896, 24 layers, 14 heads, 2 KV
 * heads, MLP 4864, vocabulary 151,936, tied embeddings) with random bf16 weights: memory copy
 * and read bandwidth, decode tokens/s of the scalar and the vector kernels against the
 * read-bandwidth bound, prompt tokens/s, and what sharing one prompt's KV cache saves for N
 * samples (prompt tokens 0 or samples 0 skip those parts). Not part of the test suite; see
 * {@code inference/ENGINE-BENCHMARKS.md} for how to run it. Arguments, all optional:
 * {@code folder} (reused when it holds a model, default a temporary folder), decode tokens (32),
 * prompt tokens (512), shared prompt tokens (2000), samples (8), tokens per sample (16).
 */
public final class EngineBenchmark {

    private static final int DIM = 896;
    private static final int LAYERS = 24;
    private static final int HEADS = 14;
    private static final int KV_HEADS = 2;
    private static final int HIDDEN = 4864;
    private static final int VOCAB = 151_936;

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("engine-benchmark");
        int decodeTokens = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int promptTokens = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int sharedPrompt = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        int samples = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        int sampleTokens = args.length > 5 ? Integer.parseInt(args[5]) : 16;
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores, Java %s, max heap %d MiB%n", threads, System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        if (!Files.exists(folder.resolve("config.json"))) {
            long start = System.nanoTime();
            writeModel(folder);
            System.out.printf("wrote a random bf16 model to %s in %.1f s%n", folder, (System.nanoTime() - start) / 1e9);
        }
        System.out.printf("load (uptime): %s%n", loadAverage());
        double bandwidth = copyBandwidth(threads);
        System.out.printf("copy bandwidth (%d threads, read + write bytes): %.2f GB/s%n", threads, bandwidth / 1e9);
        double before = readBandwidth(threads);
        System.out.printf("read bandwidth before decoding (%d threads, bytes read): %.2f GB/s%n", threads, before / 1e9);
        double[] rates = new double[2];
        CpuKernels kernels = new CpuKernels(threads);
        try (Engine scalar = new Engine(ModelFolder.open(folder), CpuKernels.scalar(threads))) {
            rates[0] = decode(scalar, decodeTokens);
            if (promptTokens > 0) {
                System.out.print("scalar kernels ");
                prefill(scalar, promptTokens);
            }
        }
        try (Engine engine = new Engine(ModelFolder.open(folder), kernels)) {
            rates[1] = decode(engine, decodeTokens);
            // A machine others share swings within minutes: the higher of two measurements is the bound.
            double after = readBandwidth(threads);
            System.out.printf("read bandwidth after decoding: %.2f GB/s; load (uptime): %s%n", after / 1e9, loadAverage());
            long bytesPerToken = engine.folder().weights().bytesPerToken();
            double bound = Math.max(before, after) / bytesPerToken;
            System.out.printf("read-bandwidth bound (%.2f GB/s / %.1f MB of weights per token): %.2f tokens/s%n",
                    Math.max(before, after) / 1e9, bytesPerToken / 1e6, bound);
            System.out.printf("decode: scalar kernels %.2f tokens/s = %.2f of the bound; %s kernels %.2f tokens/s = "
                    + "%.2f of the bound%n", rates[0], rates[0] / bound, kernels.vectorized() ? "vector" : "scalar (no module)",
                    rates[1], rates[1] / bound);
            if (promptTokens > 0) {
                System.out.print(kernels.vectorized() ? "vector kernels " : "scalar kernels ");
                prefill(engine, promptTokens);
            }
            if (samples > 0) {
                sharing(engine, sharedPrompt, samples, sampleTokens);
            }
        }
    }

    /** Greedy decode of {@code tokens} tokens after a 16-token prompt and 4 warm-up tokens: tokens/s. */
    private static double decode(Engine engine, int tokens) {
        Transformer transformer = engine.transformer();
        KvCache cache = new KvCache(engine.config(), 16 + tokens + 4);
        float[] logits = transformer.forward(randomTokens(16, 1), cache);
        for (int i = 0; i < 4; i++) { // warm-up
            logits = transformer.forward(new int[] {Sampler.argmax(logits)}, cache);
        }
        long start = System.nanoTime();
        for (int i = 0; i < tokens; i++) {
            logits = transformer.forward(new int[] {Sampler.argmax(logits)}, cache);
        }
        return tokens / ((System.nanoTime() - start) / 1e9);
    }

    private static void prefill(Engine engine, int tokens) {
        engine.prefill(randomTokens(64, 2), new KvCache(engine.config(), 64)); // warm-up
        long start = System.nanoTime();
        engine.prefill(randomTokens(tokens, 3), new KvCache(engine.config(), tokens));
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("prompt: %d tokens in %.2f s = %.2f tokens/s%n", tokens, seconds, tokens / seconds);
    }

    private static void sharing(Engine engine, int promptTokens, int samples, int sampleTokens) {
        int[] prompt = randomTokens(promptTokens, 4);
        GenerationSettings settings = new GenerationSettings(sampleTokens, 1.0, 0.95, 7, Set.of());
        Generation shared = engine.generate(prompt, samples, settings, TokenListener.NONE);
        System.out.printf("shared: %d samples x %d tokens of a %d-token prompt: prompt %.2f s + decode %.2f s = %.2f s%n",
                samples, sampleTokens, promptTokens, shared.promptSeconds(), shared.decodeSeconds(),
                shared.promptSeconds() + shared.decodeSeconds());
        Generation one = engine.generate(prompt, 1, settings, TokenListener.NONE);
        double alone = one.promptSeconds() + one.decodeSeconds();
        System.out.printf("one independent run: prompt %.2f s + decode %.2f s = %.2f s; x %d = %.2f s (extrapolated)%n",
                one.promptSeconds(), one.decodeSeconds(), alone, samples, alone * samples);
        double together = shared.promptSeconds() + shared.decodeSeconds();
        System.out.printf("prefix sharing saves %.2f s of %.2f s (%.1fx faster)%n", alone * samples - together,
                alone * samples, alone * samples / together);
    }

    /** Best of five parallel array copies of 2 x 256 MiB: bytes read plus bytes written per second. */
    private static double copyBandwidth(int threads) {
        int size = 256 << 20;
        byte[] from = new byte[size];
        byte[] to = new byte[size];
        java.util.Arrays.fill(from, (byte) 1);
        ForkJoinPool pool = new ForkJoinPool(threads);
        double best = 0;
        try {
            for (int round = 0; round < 6; round++) {
                long start = System.nanoTime();
                pool.submit(() -> IntStream.range(0, threads).parallel().forEach(t -> {
                    int begin = (int) ((long) size * t / threads);
                    int end = (int) ((long) size * (t + 1) / threads);
                    System.arraycopy(from, begin, to, begin, end - begin);
                })).join();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (round > 0) {
                    best = Math.max(best, 2.0 * size / seconds);
                }
            }
        } finally {
            pool.shutdown();
        }
        return best;
    }

    /**
     * Best of seven parallel sums over 2 x 256 MiB of ints, with the vector API so that the adds
     * keep up with memory: bytes read per second, the bound of a decode step that reads weights.
     */
    private static double readBandwidth(int threads) {
        int ints = 128 << 20;
        int[][] halves = {new int[ints / 2], new int[ints / 2]};
        for (int[] half : halves) {
            java.util.Arrays.fill(half, 1);
        }
        int[] small = new int[1 << 12];
        long warm = 0;
        for (int i = 0; i < 50_000; i++) { // compiled before it is timed
            warm += sum(small, 0, small.length);
        }
        int chunk = 1 << 18;
        ForkJoinPool pool = new ForkJoinPool(threads);
        double best = 0;
        long check = warm;
        try {
            for (int round = 0; round < 8; round++) {
                long start = System.nanoTime();
                check += pool.submit(() -> IntStream.range(0, threads).parallel().mapToLong(t -> {
                    long total = 0;
                    for (int[] a : halves) {
                        int chunks = a.length / chunk;
                        for (int c = chunks * t / threads; c < chunks * (t + 1) / threads; c++) {
                            total += sum(a, c * chunk, (c + 1) * chunk);
                        }
                    }
                    return total;
                }).sum()).join();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (round > 0) {
                    best = Math.max(best, 4.0 * ints / seconds);
                }
            }
        } finally {
            pool.shutdown();
        }
        if (check != 8L * ints) { // every int is 1; the warm-up summed zeros
            throw new IllegalStateException("read-bandwidth sum is wrong: " + check);
        }
        return best;
    }

    /** The sum of {@code a[from .. to)}, a whole number of vectors. */
    private static long sum(int[] a, int from, int to) {
        VectorSpecies<Integer> species = IntVector.SPECIES_PREFERRED;
        IntVector s0 = IntVector.zero(species);
        IntVector s1 = IntVector.zero(species);
        for (int i = from; i < to; i += 2 * species.length()) {
            s0 = s0.add(IntVector.fromArray(species, a, i));
            s1 = s1.add(IntVector.fromArray(species, a, i + species.length()));
        }
        return s0.add(s1).reduceLanes(VectorOperators.ADD);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static int[] randomTokens(int count, long seed) {
        return new SplittableRandom(seed).ints(count, 0, VOCAB).toArray();
    }

    /** Streams random bf16 weights (normal, std 0.02; norms 1) into one model.safetensors. */
    static void writeModel(Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), "{\"architectures\": [\"Qwen2ForCausalLM\"], \"hidden_size\": " + DIM
                + ", \"num_hidden_layers\": " + LAYERS + ", \"num_attention_heads\": " + HEADS + ", \"num_key_value_heads\": "
                + KV_HEADS + ", \"intermediate_size\": " + HIDDEN + ", \"vocab_size\": " + VOCAB + ", \"rms_norm_eps\": 1e-6, "
                + "\"rope_theta\": 1000000.0, \"tie_word_embeddings\": true, \"max_position_embeddings\": 32768, "
                + "\"eos_token_id\": 151643, \"torch_dtype\": \"bfloat16\"}");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[] {VOCAB, DIM});
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            shapes.put(p + "input_layernorm.weight", new long[] {DIM});
            shapes.put(p + "self_attn.q_proj.weight", new long[] {HEADS * 64, DIM});
            shapes.put(p + "self_attn.q_proj.bias", new long[] {HEADS * 64});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {KV_HEADS * 64, DIM});
            shapes.put(p + "self_attn.k_proj.bias", new long[] {KV_HEADS * 64});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {KV_HEADS * 64, DIM});
            shapes.put(p + "self_attn.v_proj.bias", new long[] {KV_HEADS * 64});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {DIM, HEADS * 64});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {DIM});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {HIDDEN, DIM});
            shapes.put(p + "mlp.up_proj.weight", new long[] {HIDDEN, DIM});
            shapes.put(p + "mlp.down_proj.weight", new long[] {DIM, HIDDEN});
        }
        shapes.put("model.norm.weight", new long[] {DIM});
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long bytes = 2 * e.getValue()[0] * (e.getValue().length > 1 ? e.getValue()[1] : 1);
            header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":{\"dtype\":\"BF16\",\"shape\":")
                    .append(java.util.Arrays.toString(e.getValue()).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(11);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(folder.resolve("model.safetensors")), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            ByteBuffer block = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                boolean norm = e.getKey().endsWith("norm.weight");
                long count = e.getValue()[0] * (e.getValue().length > 1 ? e.getValue()[1] : 1);
                for (long i = 0; i < count; i++) {
                    float value = norm ? 1f : (float) (random.nextGaussian() * 0.02);
                    block.putShort(SafetensorsWriter.toBf16(value));
                    if (!block.hasRemaining()) {
                        out.write(block.array());
                        block.clear();
                    }
                }
                out.write(block.array(), 0, block.position());
                block.clear();
            }
        }
    }
}
