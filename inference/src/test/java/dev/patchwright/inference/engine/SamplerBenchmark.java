package dev.patchwright.inference.engine;

import java.util.SplittableRandom;

/**
 * Milliseconds per sampled token over a 151,936-token vocabulary of random normal logits (scale
 * given, default 1 and 3), temperature 1, top-p 0.95: {@link Sampler} against the full sort it
 * replaced. Not part of the test suite; see {@code inference/ENGINE-BENCHMARKS.md}.
 */
public final class SamplerBenchmark {

    private SamplerBenchmark() {
    }

    public static void main(String[] args) {
        for (String scale : args.length > 0 ? args : new String[] {"1", "3"}) {
            SplittableRandom random = new SplittableRandom(1);
            float[] logits = new float[151_936];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (random.nextGaussian() * Double.parseDouble(scale));
            }
            Sampler sampler = new Sampler(1, 0.95, 2);
            FullSortSampler reference = new FullSortSampler(1, 0.95, 2);
            int draws = 100;
            for (int round = 0; round < 2; round++) { // the first round warms up
                long start = System.nanoTime();
                for (int i = 0; i < draws; i++) {
                    sampler.sample(logits);
                }
                double heap = (System.nanoTime() - start) / 1e6 / draws;
                start = System.nanoTime();
                for (int i = 0; i < draws; i++) {
                    reference.sample(logits);
                }
                double sort = (System.nanoTime() - start) / 1e6 / draws;
                if (round == 1) {
                    System.out.printf("logit scale %s: heap %.2f ms/token, full sort %.2f ms/token%n", scale, heap, sort);
                }
            }
        }
    }
}
