package dev.patchwright.inference.engine;

/** Hears each token as it is generated, for streaming; called on the generating thread. */
@FunctionalInterface
public interface TokenListener {

    /** Sample {@code sample} generated {@code token} (never a stop token). */
    void onToken(int sample, int token);

    /**
     * Whether sample {@code sample} goes on after the token just heard: a caller that stops on text
     * (a stop string) ends a sample here. Asked after each {@link #onToken}; by default, always.
     */
    default boolean wantsMore(int sample) {
        return true;
    }

    /** A listener that ignores every token. */
    TokenListener NONE = (sample, token) -> { };
}
