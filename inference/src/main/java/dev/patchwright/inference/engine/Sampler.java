package dev.patchwright.inference.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy at temperature 0, else from the softmax of
 * {@code logits / temperature} restricted to the nucleus (the most likely tokens whose probability
 * adds up to {@code topP}). The same seed over the same logits gives the same tokens, on any JVM.
 * Not thread-safe: one sampler per sequence.
 */
public final class Sampler {

    private final double temperature;
    private final double topP;
    private final SplittableRandom random;
    private double[] probabilities = new double[0];
    private Integer[] order = new Integer[0];

    /**
     * @param temperature 0 for greedy argmax, else &gt; 0
     * @param topP in (0, 1]; 1 samples from the whole distribution
     * @param seed the random stream's seed
     * @throws IllegalArgumentException on a negative or non-finite temperature or topP outside (0, 1]
     */
    public Sampler(double temperature, double topP, long seed) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, found " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], found " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    /** The next token id; {@code logits} is read, not changed. */
    public int sample(float[] logits) {
        if (temperature == 0) {
            return argmax(logits);
        }
        int n = logits.length;
        if (probabilities.length != n) {
            probabilities = new double[n];
        }
        float max = logits[argmax(logits)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            probabilities[i] = Math.exp((logits[i] - max) / temperature);
            sum += probabilities[i];
        }
        return topP >= 1 ? draw(sum) : drawFromNucleus(sum);
    }

    /** The lowest index of the largest logit. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private int draw(double sum) {
        double target = random.nextDouble() * sum;
        double cumulative = 0;
        for (int i = 0; i < probabilities.length; i++) {
            cumulative += probabilities[i];
            if (target < cumulative) {
                return i;
            }
        }
        return probabilities.length - 1;
    }

    private int drawFromNucleus(double sum) {
        // A token below (1 - topP) / (n - 1) of the mass cannot be in the nucleus: all of them
        // together hold less than 1 - topP. Sorting only the others keeps a 150k vocabulary cheap.
        int n = probabilities.length;
        double cutoff = n > 1 ? (1 - topP) / (n - 1) * sum : 0;
        int candidates = 0;
        if (order.length != n) {
            order = new Integer[n];
        }
        for (int i = 0; i < n; i++) {
            if (probabilities[i] >= cutoff) {
                order[candidates++] = i;
            }
        }
        Arrays.sort(order, 0, candidates, (a, b) -> probabilities[a] != probabilities[b]
                ? Double.compare(probabilities[b], probabilities[a]) : Integer.compare(a, b));
        double kept = 0;
        int size = 0;
        while (size < candidates) {
            kept += probabilities[order[size++]];
            if (kept >= topP * sum) {
                break;
            }
        }
        double target = random.nextDouble() * kept;
        double cumulative = 0;
        for (int j = 0; j < size; j++) {
            cumulative += probabilities[order[j]];
            if (target < cumulative) {
                return order[j];
            }
        }
        return order[size - 1];
    }
}
