package dev.patchwright.inference.engine;

import java.util.Set;

/**
 * How samples are drawn.
 *
 * @param maxTokens the most tokens a sample generates, stop token not counted; &gt;= 1
 * @param temperature 0 for greedy, else the softmax temperature
 * @param topP nucleus sampling mass in (0, 1]
 * @param seed sample {@code i} of a generation samples with seed {@code seed + i}
 * @param stopTokens token ids that end a sample (end of sequence, end of turn); not part of its output
 */
public record GenerationSettings(int maxTokens, double temperature, double topP, long seed, Set<Integer> stopTokens) {

    /**
     * @throws IllegalArgumentException on {@code maxTokens < 1} or values {@link Sampler} refuses
     */
    public GenerationSettings {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, found " + maxTokens);
        }
        new Sampler(temperature, topP, seed);
        stopTokens = Set.copyOf(stopTokens);
    }

    /** Greedy decoding of up to {@code maxTokens} tokens. */
    public static GenerationSettings greedy(int maxTokens, Set<Integer> stopTokens) {
        return new GenerationSettings(maxTokens, 0, 1, 0, stopTokens);
    }
}
