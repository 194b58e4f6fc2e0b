package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cpu.CpuKernels;
import dev.patchwright.inference.engine.cuda.CudaEngine;
import dev.patchwright.inference.engine.cuda.CudaGenerator;
import dev.patchwright.inference.engine.cuda.DeviceModel;
import dev.patchwright.inference.engine.paged.PagedSequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole-model logits of the GPU engine against the CPU engine on tiny random models of each
 * architecture: a prompt in two chunks (the second on the tensor cores), then decode steps of
 * three and six samples forked from it (the CUDA-core and the small-batch tensor-core products). Skips, saying why, without a device.
 */
class CudaEngineIT extends GpuModelTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.patchwright.inference.engine.TinyModel#architectures")
    void logitsMatchTheCpuEngineOverAChunkedPromptAndForkedDecode(String name, Supplier<TinyModel> spec) throws Exception {
        Path folder = spec.get().write(dir.resolve("model"));
        ModelFolder loaded = ModelFolder.open(folder);
        int[] prompt = new int[40];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 37 + 11) % loaded.config().vocabSize();
        }
        try (Engine cpu = new Engine(loaded, new CpuKernels(2));
             DeviceModel model = DeviceModel.upload(loaded.config(), loaded.weights(), device);
             CudaEngine gpu = new CudaEngine(ops, model, 64, 64)) {
            KvCache cache = new KvCache(cpu.config(), 64);
            cpu.transformer().forward(java.util.Arrays.copyOfRange(prompt, 0, 16), cache);
            float[] expected = cpu.transformer().forward(java.util.Arrays.copyOfRange(prompt, 16, 40), cache);
            PagedSequence sequence = gpu.sequence();
            gpu.prefill(java.util.Arrays.copyOfRange(prompt, 0, 16), sequence);
            gpu.prefill(java.util.Arrays.copyOfRange(prompt, 16, 40), sequence);
            assertClose(gpu.hostLogits(1)[0], expected, 3e-2, name + ": prompt");

            for (int n : new int[] {3, 6}) { // 3 rows run on the CUDA-core products, 6 on the small-batch tensor-core ones
                KvCache[] forks = new KvCache[n];
                PagedSequence[] samples = new PagedSequence[n];
                int[] next = new int[n];
                for (int s = 0; s < n; s++) {
                    forks[s] = cache.fork(8);
                    samples[s] = sequence.fork();
                    next[s] = s + 1;
                }
                for (int step = 0; step < 3; step++) {
                    int[][] tokens = new int[n][];
                    for (int s = 0; s < n; s++) {
                        tokens[s] = new int[] {next[s]};
                    }
                    float[][] cpuLogits = cpu.transformer().forwardBatch(tokens, forks);
                    gpu.decode(next, samples);
                    float[][] gpuLogits = gpu.hostLogits(n);
                    for (int s = 0; s < n; s++) {
                        assertClose(gpuLogits[s], cpuLogits[s], 3e-2, name + ": " + n + " samples, decode step " + step + " sample " + s);
                        next[s] = (next[s] * 7 + step + 5) % cpu.config().vocabSize();
                    }
                }
                assertThat(gpu.pool().shared()).as("the prompt's full blocks are held by all forks").isGreaterThan(0);
                for (PagedSequence s : samples) {
                    s.close();
                }
            }
            sequence.close();
            assertThat(gpu.pool().used()).as("every block back").isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.patchwright.inference.engine.TinyModel#architectures")
    void greedySamplesOfOnePromptAreIdenticalAndStopWhereAsked(String name, Supplier<TinyModel> spec) throws Exception {
        Path folder = spec.get().write(dir.resolve("model"));
        ModelFolder loaded = ModelFolder.open(folder);
        try (DeviceModel model = DeviceModel.upload(loaded.config(), loaded.weights(), device);
             CudaEngine engine = new CudaEngine(ops, model, CudaGenerator.PREFILL_CHUNK, 256)) {
            CudaGenerator generator = new CudaGenerator(device, model, engine);
            Generation greedy = generator.generate(new int[] {5, 9, 14, 3, 7}, 4, GenerationSettings.greedy(12, Set.of()),
                    TokenListener.NONE);
            assertThat(greedy.samples()).allSatisfy(s -> assertThat(s.tokens()).hasSize(12)
                    .containsExactly(greedy.samples().get(0).tokens()));
            Generation sampled = generator.generate(new int[] {5, 9, 14, 3, 7}, 3,
                    new GenerationSettings(10, 0.8, 0.9, 42, Set.of()), TokenListener.NONE);
            assertThat(sampled.samples()).allSatisfy(s -> assertThat(s.tokens()).hasSize(10)
                    .doesNotContain(-1).containsAnyOf(java.util.stream.IntStream.range(0, loaded.config().vocabSize()).toArray()));
            assertThat(sampled.samples().stream().flatMapToInt(s -> java.util.Arrays.stream(s.tokens())))
                    .allSatisfy(t -> assertThat(t).isBetween(0, loaded.config().vocabSize() - 1));
            assertThat(engine.pool().used()).as("every block back after generation (a 5-token prompt has no full block to cache)").isZero();
        }
    }

    /** The relative error of {@code got} against {@code expected} is under {@code tolerance}, every logit finite. */
    static void assertClose(float[] got, float[] expected, double tolerance, String what) {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.isFinite(got[i])).as(what + ": logit " + i + " is " + got[i]).isTrue();
            diff += (got[i] - expected[i]) * (double) (got[i] - expected[i]);
            norm += expected[i] * (double) expected[i];
        }
        assertThat(Math.sqrt(diff / norm)).as(what + ": relative error against the CPU engine").isLessThan(tolerance);
    }
}
