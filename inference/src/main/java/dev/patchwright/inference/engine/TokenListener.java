package dev.patchwright.inference.engine;

/** Hears each token as it is generated, for streaming; called on the generating thread. */
@FunctionalInterface
public interface TokenListener {

    /** Sample {@code sample} generated {@code token} (never a stop token). */
    void onToken(int sample, int token);

    /** A listener that ignores every token. */
    TokenListener NONE = (sample, token) -> { };
}
