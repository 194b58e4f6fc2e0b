package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cuda.CudaEngine;
import dev.patchwright.inference.engine.cuda.DeviceModel;
import dev.patchwright.inference.engine.paged.PagedSequence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decode steps replayed from CUDA graphs against the same steps launched kernel by kernel: two
 * sets of samples forked from one prompt take the same tokens, one set with graphs and one
 * without, and their logits must be equal bit for bit, step after step, at 1, 3 and 6 rows (the
 * three product kernels), across the recapture that follows the attention plan outgrowing its
 * buffers. Skips, saying why, without a device.
 */
class CudaGraphIT extends GpuModelTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.patchwright.inference.engine.TinyModel#architectures")
    void logitsWithGraphsEqualLogitsWithoutBitForBit(String name, Supplier<TinyModel> spec) throws Exception {
        ModelFolder loaded = ModelFolder.open(spec.get().write(dir.resolve("model")));
        int vocab = loaded.config().vocabSize();
        int[] prompt = new int[40];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 37 + 11) % vocab;
        }
        try (DeviceModel model = DeviceModel.upload(loaded.config(), loaded.weights(), device);
             CudaEngine engine = new CudaEngine(ops, model, 64, 256)) {
            CudaEngine.Prefilled shared = engine.prefillPrompt(prompt, 64);
            for (int n : new int[] {1, 3, 6}) {
                PagedSequence[] plain = new PagedSequence[n];
                PagedSequence[] graphed = new PagedSequence[n];
                int[] next = new int[n];
                for (int s = 0; s < n; s++) {
                    plain[s] = shared.sequence().fork();
                    graphed[s] = shared.sequence().fork();
                    next[s] = (s * 5 + 1) % vocab;
                }
                int capturesBefore = engine.graphCaptures();
                for (int step = 0; step < 40; step++) { // 40 tokens: two more blocks a sample, the plan grows
                    engine.useGraphs(false).decode(next, plain);
                    float[][] expected = engine.hostLogits(n);
                    engine.useGraphs(true).decode(next, graphed);
                    float[][] got = engine.hostLogits(n);
                    for (int s = 0; s < n; s++) {
                        assertThat(Arrays.equals(got[s], expected[s]))
                                .as(name + ": " + n + " rows, step " + step + ", row " + s + ": graph logits equal plain ones bit for bit")
                                .isTrue();
                        assertThat(Float.isFinite(got[s][0])).isTrue();
                        next[s] = Sampler.argmax(expected[s]);
                    }
                }
                assertThat(engine.graphCaptures() - capturesBefore).as(name + ": at least one graph for " + n + " rows")
                        .isGreaterThanOrEqualTo(1);
                Arrays.stream(plain).forEach(PagedSequence::close);
                Arrays.stream(graphed).forEach(PagedSequence::close);
            }
            assertThat(engine.graphCaptures()).as(name + ": recaptured when the plan's buffers moved").isGreaterThan(3);
            shared.sequence().close();
        }
    }
}

