package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cpu.CpuKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's logits against {@link NaiveReference}, a float64 implementation that shares no code
 * with it, over a prompt and greedy decode steps, for every architecture and weight dtype.
 */
class ForwardPassTest {

    /**
     * Largest allowed |engine - reference| of a logit. Weights are exact in every dtype, so the only
     * difference is float32 arithmetic against float64: below 1e-6 here, with
     * logits of order one.
     */
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    static Stream<Arguments> models() {
        return Stream.of(
                model("Llama, llama3 RoPE scaling, bf16", TinyModel::llama),
                model("Llama, f32, attention biases, heads = kv heads", () -> {
                    TinyModel m = TinyModel.llama();
                    m.dtype = "F32";
                    m.attentionBias = true;
                    m.kvHeads = m.heads;
                    return m;
                }),
                model("Qwen2 with q/k/v biases, f16", () -> {
                    TinyModel m = TinyModel.qwen2();
                    m.dtype = "F16";
                    return m;
                }),
                model("Qwen2 with tied embeddings, bf16", () -> {
                    TinyModel m = TinyModel.qwen2();
                    m.tied = true;
                    return m;
                }),
                model("Qwen3 with q/k norms and head_dim 12 != 32/4, bf16", TinyModel::qwen3),
                model("Llama in 3 shards with an index, f16", () -> {
                    TinyModel m = TinyModel.llama();
                    m.dtype = "F16";
                    m.shards = 3;
                    return m;
                }));
    }

    private static Arguments model(String name, Supplier<TinyModel> model) {
        return Arguments.of(name, model);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void logitsMatchTheFloat64ReferenceOverPromptAndDecode(String name, Supplier<TinyModel> spec) throws Exception {
        Path folder = spec.get().write(dir.resolve("model"));
        NaiveReference reference = new NaiveReference(folder);
        try (Engine engine = new Engine(ModelFolder.open(folder), new CpuKernels(3))) {
            int[] prompt = {3, 17, 42, 5, 9, 33, 60};
            KvCache cache = new KvCache(engine.config(), 16);
            float[][] logits = engine.transformer().forwardAll(prompt, cache);
            double[][] expected = reference.logits(prompt);
            for (int t = 0; t < prompt.length; t++) {
                assertClose(logits[t], expected[t], "prompt position " + t);
            }
            int[] sequence = prompt;
            float[] last = logits[prompt.length - 1];
            for (int step = 0; step < 5; step++) {
                int next = Sampler.argmax(last);
                sequence = append(sequence, next);
                last = engine.transformer().forward(new int[] {next}, cache);
                double[][] all = reference.logits(sequence);
                assertClose(last, all[sequence.length - 1], "decode step " + step);
            }
            assertThat(cache.length()).isEqualTo(sequence.length);
        }
    }

    @Test
    void splitMappingsGiveTheSameLogits() throws Exception {
        Path folder = TinyModel.llama().write(dir.resolve("model"));
        int[] prompt = {1, 2, 3, 4};
        float[] whole;
        float[] split;
        try (Engine engine = new Engine(ModelFolder.open(folder), new CpuKernels(1))) {
            whole = engine.transformer().forward(prompt, new KvCache(engine.config(), 4));
        }
        // 100 bytes per mapping: every 32-column bf16 matrix is cut into buffers of one row.
        ModelFolder chopped = ModelFolder.open(folder, 100);
        assertThat(chopped.weights().embed.rows()).isEqualTo(64);
        try (Engine engine = new Engine(chopped, new CpuKernels(1))) {
            split = engine.transformer().forward(prompt, new KvCache(engine.config(), 4));
        }
        assertThat(split).containsExactly(whole);
    }

    @Test
    void aBatchOfSequencesGivesWhatEachGivesAlone() throws Exception {
        Path folder = TinyModel.qwen3().write(dir.resolve("model"));
        try (Engine engine = new Engine(ModelFolder.open(folder), new CpuKernels(2))) {
            Transformer transformer = engine.transformer();
            KvCache a = new KvCache(engine.config(), 8);
            KvCache b = new KvCache(engine.config(), 8);
            float[][] together = transformer.forwardBatch(new int[][] {{1, 2, 3}, {7}}, new KvCache[] {a, b});
            float[] aloneA = transformer.forward(new int[] {1, 2, 3}, new KvCache(engine.config(), 8));
            float[] aloneB = transformer.forward(new int[] {7}, new KvCache(engine.config(), 8));
            assertThat(together[0]).containsExactly(aloneA);
            assertThat(together[1]).containsExactly(aloneB);
        }
    }

    static void assertClose(float[] actual, double[] expected, String where) {
        assertThat(actual).hasSize(expected.length);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("%s: largest logit difference (logits %s...)", where,
                Arrays.toString(Arrays.copyOf(expected, 3))).isLessThanOrEqualTo(TOLERANCE);
    }

    static int[] append(int[] tokens, int token) {
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = token;
        return out;
    }
}
