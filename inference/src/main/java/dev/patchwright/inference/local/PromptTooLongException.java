package dev.patchwright.inference.local;

import dev.patchwright.inference.model.InferenceException;

/** A prompt leaves no room in the model's context for even one generated token. Not retryable. */
public final class PromptTooLongException extends InferenceException {

    private static final long serialVersionUID = 1L;

    private final int promptTokens;
    private final int contextTokens;

    PromptTooLongException(String model, int promptTokens, int contextTokens) {
        super("the prompt has " + promptTokens + " tokens; model " + model + " has a context of " + contextTokens
                + " tokens, which leaves no room for an answer", false, null);
        this.promptTokens = promptTokens;
        this.contextTokens = contextTokens;
    }

    /** Tokens in the rendered prompt. */
    public int promptTokens() {
        return promptTokens;
    }

    /** The model's context length, {@code max_position_embeddings}. */
    public int contextTokens() {
        return contextTokens;
    }
}
