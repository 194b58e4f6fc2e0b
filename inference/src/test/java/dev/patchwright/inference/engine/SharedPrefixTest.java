package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cpu.CpuKernels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Samples that fork one prompt's KV cache behave exactly like independent runs. */
class SharedPrefixTest {

    @TempDir
    Path dir;

    private Engine engine;

    @BeforeEach
    void open() throws Exception {
        TinyModel model = TinyModel.qwen2();
        model.scale = 0.25f; // livelier logits, so that seeds and stops make visible differences
        engine = new Engine(ModelFolder.open(model.write(dir.resolve("model"))), new CpuKernels(2));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void forksOfAPromptCacheGiveTheLogitsOfIndependentRuns() {
        Transformer transformer = engine.transformer();
        int[] prompt = {5, 1, 44, 23, 8, 61};
        int[][] continuations = {{2, 9}, {30, 31}, {2, 10}};
        KvCache shared = new KvCache(engine.config(), prompt.length + 1);
        transformer.forward(prompt, shared);
        List<KvCache> forks = new ArrayList<>();
        for (int[] continuation : continuations) {
            forks.add(shared.fork(continuation.length));
        }
        // The parent may grow after the forks; they keep seeing only the prompt.
        transformer.forward(new int[] {63}, shared);
        for (int s = 0; s < continuations.length; s++) {
            float[] forked = transformer.forward(continuations[s], forks.get(s));
            float[] alone = transformer.forward(concat(prompt, continuations[s]),
                    new KvCache(engine.config(), prompt.length + 2));
            assertThat(forked).as("continuation %d", s).containsExactly(alone);
            assertThat(forks.get(s).length()).isEqualTo(prompt.length + 2);
            assertThat(forks.get(s).ownBytes()).as("a fork stores only its own positions")
                    .isEqualTo(2L * 2 * engine.config().layers() * engine.config().kvDim() * Float.BYTES);
        }
    }

    @Test
    void nSamplesOfOnePromptAreTheSamplesOfNIndependentGenerations() {
        int[] prompt = {7, 7, 12, 40, 3};
        GenerationSettings settings = new GenerationSettings(8, 1.0, 0.95, 1234, Set.of());
        List<String> heard = new ArrayList<>();
        Generation together = engine.generate(prompt, 4, settings, (sample, token) -> heard.add(sample + ":" + token));
        assertThat(together.samples()).hasSize(4);
        assertThat(together.promptTokens()).isEqualTo(5);
        assertThat(together.generatedTokens()).isEqualTo(32);
        for (int i = 0; i < 4; i++) {
            GenerationSettings alone = new GenerationSettings(8, 1.0, 0.95, 1234 + i, Set.of());
            Sample expected = engine.generate(prompt, 1, alone, TokenListener.NONE).samples().get(0);
            Sample actual = together.samples().get(i);
            assertThat(actual.tokens()).as("sample %d", i).containsExactly(expected.tokens());
            assertThat(actual.stopped()).isFalse();
            List<String> streamed = new ArrayList<>();
            for (int token : actual.tokens()) {
                streamed.add(i + ":" + token);
            }
            String mine = i + ":";
            assertThat(heard.stream().filter(h -> h.startsWith(mine)).toList()).isEqualTo(streamed);
        }
        assertThat(together.samples().stream().map(s -> java.util.Arrays.toString(s.tokens())).distinct().count())
                .as("different seeds, different samples").isGreaterThan(1);
    }

    @Test
    void theSameSeedGivesTheSameTokensAndAnotherSeedOthers() {
        int[] prompt = {1, 2, 3};
        Generation first = engine.generate(prompt, 1, new GenerationSettings(12, 1.0, 1.0, 99, Set.of()), TokenListener.NONE);
        Generation again = engine.generate(prompt, 1, new GenerationSettings(12, 1.0, 1.0, 99, Set.of()), TokenListener.NONE);
        Generation other = engine.generate(prompt, 1, new GenerationSettings(12, 1.0, 1.0, 100, Set.of()), TokenListener.NONE);
        assertThat(again.samples().get(0).tokens()).containsExactly(first.samples().get(0).tokens());
        assertThat(other.samples().get(0).tokens()).isNotEqualTo(first.samples().get(0).tokens());
    }

    @Test
    void aListenerThatWantsNoMoreEndsOnlyItsSampleAndAPrefilledPromptContinuesAlike() {
        int[] prompt = {4, 5, 6};
        GenerationSettings settings = new GenerationSettings(8, 1.0, 1.0, 7, Set.of());
        Generation full = engine.generate(prompt, 2, settings, TokenListener.NONE);
        KvCache cache = new KvCache(engine.config(), prompt.length);
        float[] logits = engine.prefill(prompt, cache);

        Generation cut = engine.generate(cache, logits, 2, settings, new TokenListener() {
            private int heard;

            @Override
            public void onToken(int sample, int token) {
                heard += sample == 0 ? 1 : 0;
            }

            @Override
            public boolean wantsMore(int sample) {
                return sample != 0 || heard < 3;
            }
        });

        assertThat(cut.promptTokens()).isEqualTo(3);
        assertThat(cut.samples().get(0).tokens()).containsExactly(
                java.util.Arrays.copyOf(full.samples().get(0).tokens(), 3));
        assertThat(cut.samples().get(0).stopped()).isFalse();
        assertThat(cut.samples().get(1).tokens()).containsExactly(full.samples().get(1).tokens());
        assertThat(cache.length()).as("the prompt's cache is only read").isEqualTo(3);
    }

    @Test
    void greedyFollowsTheArgmaxAndAStopTokenEndsTheSample() {
        int[] prompt = {9, 8, 7};
        Generation greedy = engine.generate(prompt, 2, GenerationSettings.greedy(6, Set.of()), TokenListener.NONE);
        int[] tokens = greedy.samples().get(0).tokens();
        assertThat(greedy.samples().get(1).tokens()).as("greedy ignores the seed").containsExactly(tokens);
        KvCache cache = new KvCache(engine.config(), 16);
        float[] logits = engine.transformer().forward(prompt, cache);
        for (int token : tokens) {
            assertThat(token).isEqualTo(Sampler.argmax(logits));
            logits = engine.transformer().forward(new int[] {token}, cache);
        }
        int stop = tokens[2];
        int firstStop = java.util.stream.IntStream.of(tokens).boxed().toList().indexOf(stop);
        Sample stopped = engine.generate(prompt, 1, GenerationSettings.greedy(6, Set.of(stop)), TokenListener.NONE)
                .samples().get(0);
        assertThat(stopped.stopped()).isTrue();
        assertThat(stopped.stopToken()).isEqualTo(stop);
        assertThat(stopped.tokens()).containsExactly(java.util.Arrays.copyOf(tokens, firstStop));
    }

    @Test
    void badRequestsAreRefused() {
        GenerationSettings settings = GenerationSettings.greedy(4, Set.of());
        assertThatThrownBy(() -> engine.generate(new int[0], 1, settings, TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tokens");
        assertThatThrownBy(() -> engine.generate(new int[] {1}, 0, settings, TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one sample");
        assertThatThrownBy(() -> engine.generate(new int[] {64}, 1, settings, TokenListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 64 outside the vocabulary [0, 64)");
        KvCache small = new KvCache(engine.config(), 2);
        assertThatThrownBy(() -> engine.transformer().forward(new int[] {1, 2, 3}, small))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KV cache full");
        assertThatThrownBy(() -> new GenerationSettings(0, 1, 1, 0, Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens");
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
