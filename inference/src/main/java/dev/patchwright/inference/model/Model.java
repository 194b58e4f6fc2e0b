package dev.patchwright.inference.model;

/**
 * A language model that answers chat requests: a hosted API, a local server or Patchwright's own engine.
 *
 * <p>Implementations are safe to call from several threads at once.
 */
public interface Model {

    /** The model's name as its backend knows it, for example {@code "qwen3-coder-30b"}; used in prices and logs. */
    String name();

    /**
     * Sends one chat request and waits for its completions.
     *
     * @param request the conversation and sampling settings
     * @return the {@code request.n()} completions in order, with the tokens the call used
     * @throws InferenceException when the backend cannot be reached, refuses the request or answers with
     *     something that is not a completion; {@link InferenceException#retryable()} says whether trying again
     *     may help
     */
    Completion complete(ChatRequest request) throws InferenceException;
}
