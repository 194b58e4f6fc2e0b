package dev.patchwright.inference.engine;

import java.util.List;

/**
 * The samples of one prompt, with what they cost.
 *
 * @param samples one per requested sample, in order
 * @param promptTokens tokens of the prompt, processed once for all samples
 * @param generatedTokens tokens sampled over all samples, stop tokens included
 * @param promptSeconds wall time of processing the prompt
 * @param decodeSeconds wall time of generating, after the prompt
 * @param cachedPromptTokens the prompt's first tokens whose keys and values an earlier prompt left in a prefix cache
 */
public record Generation(List<Sample> samples, int promptTokens, int generatedTokens, double promptSeconds,
        double decodeSeconds, int cachedPromptTokens) {

    public Generation {
        samples = List.copyOf(samples);
        if (cachedPromptTokens < 0 || cachedPromptTokens > promptTokens) {
            throw new IllegalArgumentException("cached prompt tokens must be in 0.." + promptTokens + ", found " + cachedPromptTokens);
        }
    }

    /** A generation with no prompt tokens from a cache. */
    public Generation(List<Sample> samples, int promptTokens, int generatedTokens, double promptSeconds, double decodeSeconds) {
        this(samples, promptTokens, generatedTokens, promptSeconds, decodeSeconds, 0);
    }
}
