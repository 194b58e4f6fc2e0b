package dev.patchwright.inference.engine;

/**
 * One generated continuation.
 *
 * @param index its number among the generation's samples (its seed is the settings' seed + index)
 * @param tokens the generated token ids, without the stop token
 * @param stopToken the stop token that ended it, or -1 when it reached {@code maxTokens}
 */
public record Sample(int index, int[] tokens, int stopToken) {

    public Sample {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Whether a stop token ended the sample (else it ran out of tokens). */
    public boolean stopped() {
        return stopToken >= 0;
    }
}
