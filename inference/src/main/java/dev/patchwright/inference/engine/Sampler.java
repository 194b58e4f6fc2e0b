package dev.patchwright.inference.engine;

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
    private int[] heap = new int[0]; // candidate token ids, a binary heap while drawing
    private int[] nucleus = new int[0]; // the nucleus, most likely first

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
        // (at most n - 1, the most likely token is never below: its weight is exp(0) = 1)
        // together hold less than 1 - topP. The others go into a binary heap (most likely first,
        // then lowest id), and only the nucleus is taken off it: O(n + k log n) for a nucleus of
        // k tokens instead of sorting every candidate. The tokens come off in the order a full
        // sort gives, so the sums and the token drawn are exactly those of sorting.
        int n = probabilities.length;
        double cutoff = n > 1 ? Math.min(1, (1 - topP) / (n - 1) * sum) : 0;
        if (heap.length != n) {
            heap = new int[n];
            nucleus = new int[n];
        }
        int candidates = 0;
        for (int i = 0; i < n; i++) {
            if (probabilities[i] >= cutoff) {
                heap[candidates++] = i;
            }
        }
        for (int i = candidates / 2 - 1; i >= 0; i--) {
            siftDown(i, candidates);
        }
        double kept = 0;
        int size = 0;
        while (candidates > 0) {
            int top = heap[0];
            heap[0] = heap[--candidates];
            siftDown(0, candidates);
            nucleus[size++] = top;
            kept += probabilities[top];
            if (kept >= topP * sum) {
                break;
            }
        }
        double target = random.nextDouble() * kept;
        double cumulative = 0;
        for (int j = 0; j < size; j++) {
            cumulative += probabilities[nucleus[j]];
            if (target < cumulative) {
                return nucleus[j];
            }
        }
        return nucleus[size - 1];
    }

    /** Restores the heap below {@code i} among the first {@code size} entries. */
    private void siftDown(int i, int size) {
        int token = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], token)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = token;
    }

    /** Whether token {@code a} comes before {@code b}: more likely, or as likely with a lower id. */
    private boolean before(int a, int b) {
        double pa = probabilities[a];
        double pb = probabilities[b];
        return pa > pb || (pa == pb && a < b);
    }
}
