package dev.patchwright.inference.model;

/**
 * Tokens used by one or more model calls; money is computed from these counts and a price table.
 *
 * @param promptTokens input tokens, including the cached ones
 * @param cachedPromptTokens the part of {@code promptTokens} served from the backend's prefix cache (often cheaper)
 * @param completionTokens generated tokens, summed over all samples
 */
public record Usage(long promptTokens, long cachedPromptTokens, long completionTokens) {

    /** No tokens: the identity of {@link #plus(Usage)}. */
    public static final Usage ZERO = new Usage(0, 0, 0);

    /** @throws IllegalArgumentException when a count is negative or more prompt tokens are cached than sent */
    public Usage {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens must not be negative, was " + promptTokens);
        }
        if (cachedPromptTokens < 0) {
            throw new IllegalArgumentException("cachedPromptTokens must not be negative, was " + cachedPromptTokens);
        }
        if (completionTokens < 0) {
            throw new IllegalArgumentException("completionTokens must not be negative, was " + completionTokens);
        }
        if (cachedPromptTokens > promptTokens) {
            throw new IllegalArgumentException("cachedPromptTokens (" + cachedPromptTokens
                    + ") must not exceed promptTokens (" + promptTokens + ")");
        }
    }

    /**
     * The sum of this usage and another.
     *
     * @throws ArithmeticException when a count overflows a long
     */
    public Usage plus(Usage other) {
        return new Usage(
                Math.addExact(promptTokens, other.promptTokens),
                Math.addExact(cachedPromptTokens, other.cachedPromptTokens),
                Math.addExact(completionTokens, other.completionTokens));
    }

    /** Prompt tokens that were not served from the cache. */
    public long uncachedPromptTokens() {
        return promptTokens - cachedPromptTokens;
    }
}
