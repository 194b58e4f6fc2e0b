package dev.patchwright.inference.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {

    @Test
    void temperatureZeroTakesTheFirstLargestLogit() {
        Sampler sampler = new Sampler(0, 1, 1);
        assertThat(sampler.sample(new float[] {0.5f, 2f, -1f, 2f})).isEqualTo(1);
    }

    @Test
    void drawsFollowTheSoftmaxOfLogitsOverTemperature() {
        float[] logits = {0, (float) Math.log(3)}; // probabilities 1/4 and 3/4 at temperature 1
        Sampler sampler = new Sampler(1, 1, 42);
        int ones = 0;
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            ones += sampler.sample(logits);
        }
        assertThat(ones / (double) draws).isCloseTo(0.75, within(0.015));
        // Temperature 2 flattens 3:1 to sqrt(3):1, about 0.634.
        Sampler warm = new Sampler(2, 1, 42);
        ones = 0;
        for (int i = 0; i < draws; i++) {
            ones += warm.sample(logits);
        }
        assertThat(ones / (double) draws).isCloseTo(Math.sqrt(3) / (1 + Math.sqrt(3)), within(0.015));
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        float[] logits = {(float) Math.log(0.1), (float) Math.log(0.2), (float) Math.log(0.3), (float) Math.log(0.4)};
        Sampler sampler = new Sampler(1, 0.5, 7); // 0.4 < 0.5, 0.4 + 0.3 >= 0.5: tokens 3 and 2 remain
        int[] counts = new int[4];
        for (int i = 0; i < 14_000; i++) {
            counts[sampler.sample(logits)]++;
        }
        assertThat(counts[0]).isZero();
        assertThat(counts[1]).isZero();
        assertThat(counts[3] / 14_000.0).isCloseTo(4 / 7.0, within(0.02));
    }

    @Test
    void theSameSeedRepeatsItself() {
        float[] logits = new float[100];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.sin(i);
        }
        Sampler a = new Sampler(1, 0.9, 5);
        Sampler b = new Sampler(1, 0.9, 5);
        Sampler c = new Sampler(1, 0.9, 6);
        int[] fromA = new int[50];
        int[] fromB = new int[50];
        int[] fromC = new int[50];
        for (int i = 0; i < 50; i++) {
            fromA[i] = a.sample(logits);
            fromB[i] = b.sample(logits);
            fromC[i] = c.sample(logits);
        }
        assertThat(fromB).containsExactly(fromA);
        assertThat(fromC).isNotEqualTo(fromA);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new Sampler(-0.1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> new Sampler(Double.NaN, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sampler(1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topP must be in (0, 1], found 0.0");
        assertThatThrownBy(() -> new Sampler(1, 1.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theNucleusDrawsTheTokensAFullSortDraws() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        double[][] settings = {{1, 0.95}, {0.7, 0.9}, {1, 1e-9}, {1.3, 0.5}, {1, 1}, {0, 0.9}, {2, 0.999}};
        int[] vocabularies = {1, 2, 17, 1000, 151_936};
        for (int vocabulary : vocabularies) {
            for (double[] s : settings) {
                for (int run = 0; run < 3; run++) {
                    float[] logits = new float[vocabulary];
                    for (int i = 0; i < vocabulary; i++) {
                        // run 1: few distinct values, so that many tokens tie
                        logits[i] = run == 1 ? random.nextInt(4) : (float) (random.nextGaussian() * (run == 0 ? 3 : 0.1));
                    }
                    long seed = random.nextLong();
                    Sampler fast = new Sampler(s[0], s[1], seed);
                    FullSortSampler reference = new FullSortSampler(s[0], s[1], seed);
                    int draws = vocabulary > 10_000 ? 4 : 200;
                    for (int d = 0; d < draws; d++) {
                        assertThat(fast.sample(logits))
                                .as("vocabulary %d, temperature %s, top-p %s, run %d, draw %d", vocabulary, s[0], s[1], run, d)
                                .isEqualTo(reference.sample(logits));
                    }
                }
            }
        }
    }

    @Test
    void aTinyTopPKeepsOnlyTheMostLikelyTokenAndTiesGoToTheLowestId() {
        Sampler sampler = new Sampler(1, 1e-9, 9);
        float[] logits = {0.5f, 3f, -2f, 3f, 1f};
        for (int i = 0; i < 100; i++) {
            assertThat(sampler.sample(logits)).isEqualTo(1);
        }
    }

    @Test
    void topPOfOneCanDrawEveryToken() {
        Sampler sampler = new Sampler(1, 1, 4);
        float[] logits = {0f, 0.2f, -0.3f, 0.1f};
        boolean[] seen = new boolean[4];
        for (int i = 0; i < 1000; i++) {
            seen[sampler.sample(logits)] = true;
        }
        assertThat(seen).containsOnly(true);
    }
}
