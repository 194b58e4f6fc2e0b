package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cpu.CpuKernels;
import dev.patchwright.inference.engine.cuda.CudaEngine;
import dev.patchwright.inference.engine.cuda.CudaGenerator;
import dev.patchwright.inference.engine.cuda.DeviceModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prefix reuse across requests on the GPU: a prompt that starts like an earlier one takes the
 * earlier prompt's full KV blocks from the pool instead of processing them again. Over the same
 * prompt the logits are the same bit for bit; over a prompt diverging mid-block they still match
 * the CPU engine. Skips, saying why, without a device.
 */
class CudaPrefixReuseIT extends GpuModelTest {

    @Test
    void aSecondRequestOverTheSamePromptReusesItsBlocksAndComputesTheSameLogits() throws Exception {
        ModelFolder loaded = ModelFolder.open(TinyModel.qwen2().write(dir.resolve("model")));
        int vocab = loaded.config().vocabSize();
        int[] prompt = new int[56]; // 3 full blocks of 16 and 8 tokens
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 37 + 11) % vocab;
        }
        try (Engine cpu = new Engine(loaded, new CpuKernels(2));
             DeviceModel model = DeviceModel.upload(loaded.config(), loaded.weights(), device);
             CudaEngine gpu = new CudaEngine(ops, model, 64, 64)) {
            CudaEngine.Prefilled first = gpu.prefillPrompt(prompt, 64);
            float[] firstLogits = gpu.hostLogits(1)[0];
            int[] firstBlocks = first.sequence().blockTable();
            first.sequence().close();
            assertThat(first.cachedTokens()).isZero();
            assertThat(gpu.prefixCache().blocks()).as("the prompt's 3 full blocks stay in the pool").isEqualTo(3);
            assertThat(gpu.pool().used()).isEqualTo(3);
            float[] expected = cpu.transformer().forward(prompt, new KvCache(cpu.config(), prompt.length));
            CudaEngineIT.assertClose(firstLogits, expected, 3e-2, "first request");

            CudaEngine.Prefilled second = gpu.prefillPrompt(prompt, 64);
            float[] secondLogits = gpu.hostLogits(1)[0];
            assertThat(second.cachedTokens()).as("all full blocks but the one holding the last token").isEqualTo(48);
            assertThat(second.sequence().blockTable()).as("the first request's full blocks, read in place")
                    .startsWith(Arrays.copyOf(firstBlocks, 3));
            assertThat(Arrays.equals(secondLogits, firstLogits)).as("the second request's logits equal the first's bit for bit")
                    .isTrue();
            second.sequence().close();

            int[] diverging = Arrays.copyOf(prompt, 70);
            diverging[37] = (diverging[37] + 1) % vocab; // inside the third block
            for (int i = 56; i < diverging.length; i++) {
                diverging[i] = (i * 13 + 5) % vocab;
            }
            CudaEngine.Prefilled third = gpu.prefillPrompt(diverging, 64);
            assertThat(third.cachedTokens()).as("the two blocks before the divergence").isEqualTo(32);
            float[] expectedDiverging = cpu.transformer().forward(diverging, new KvCache(cpu.config(), diverging.length));
            CudaEngineIT.assertClose(gpu.hostLogits(1)[0], expectedDiverging, 3e-2, "a prompt diverging mid-block");
            third.sequence().close();
            assertThat(gpu.prefixCache().sharedBlocks()).as("both cached prompts start with the first two blocks").isEqualTo(2);
        }
    }

    @Test
    void aFullPoolGivesBackCachedBlocksAndGenerationReportsTheCachedTokens() throws Exception {
        ModelFolder loaded = ModelFolder.open(TinyModel.llama().write(dir.resolve("model")));
        int vocab = loaded.config().vocabSize();
        try (DeviceModel model = DeviceModel.upload(loaded.config(), loaded.weights(), device);
             CudaEngine engine = new CudaEngine(ops, model, CudaGenerator.PREFILL_CHUNK, 12)) {
            CudaGenerator generator = new CudaGenerator(device, model, engine);
            int[] a = new int[40];
            int[] b = new int[120];
            for (int i = 0; i < b.length; i++) {
                b[i] = (i * 11 + 5) % vocab;
            }
            for (int i = 0; i < a.length; i++) {
                a[i] = (i * 7 + 3) % vocab;
            }
            GenerationSettings greedy = GenerationSettings.greedy(4, Set.of());
            Generation first = generator.generate(a, 2, greedy, TokenListener.NONE);
            assertThat(first.cachedPromptTokens()).isZero();
            Generation again = generator.generate(a, 2, greedy, TokenListener.NONE);
            assertThat(again.cachedPromptTokens()).isEqualTo(32);
            assertThat(again.samples().get(0).tokens()).as("greedy tokens over reused blocks")
                    .containsExactly(first.samples().get(0).tokens());
            // 12 blocks, a's 2 cached: b's 8 blocks and its 2 samples' copies fill the pool, and their
            // decoding past position 127 needs 2 more: a's cached blocks go
            Generation other = generator.generate(b, 2, GenerationSettings.greedy(20, Set.of()), TokenListener.NONE);
            assertThat(other.cachedPromptTokens()).isZero();
            assertThat(generator.generate(a, 1, greedy, TokenListener.NONE).cachedPromptTokens())
                    .as("a's blocks were evicted for b").isZero();
            assertThat(engine.pool().used()).as("only cached blocks are held between requests")
                    .isEqualTo(engine.prefixCache().blocks());
        }
    }
}
