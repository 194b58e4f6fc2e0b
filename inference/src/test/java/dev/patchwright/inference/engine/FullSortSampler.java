package dev.patchwright.inference.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The nucleus sampler as it was before the heap: softmax, then a full sort of every token (most
 * likely first, ties by lower id). The reference that {@link Sampler} must match token for token.
 */
final class FullSortSampler {

    private final double temperature;
    private final double topP;
    private final SplittableRandom random;

    FullSortSampler(double temperature, double topP, long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    int sample(float[] logits) {
        if (temperature == 0) {
            return Sampler.argmax(logits);
        }
        int n = logits.length;
        double[] p = new double[n];
        float max = logits[Sampler.argmax(logits)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        if (topP >= 1) {
            double target = random.nextDouble() * sum;
            double cumulative = 0;
            for (int i = 0; i < n; i++) {
                cumulative += p[i];
                if (target < cumulative) {
                    return i;
                }
            }
            return n - 1;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        double kept = 0;
        int size = 0;
        while (size < n) {
            kept += p[order[size++]];
            if (kept >= topP * sum) {
                break;
            }
        }
        double target = random.nextDouble() * kept;
        double cumulative = 0;
        for (int j = 0; j < size; j++) {
            cumulative += p[order[j]];
            if (target < cumulative) {
                return order[j];
            }
        }
        return order[size - 1];
    }
}
