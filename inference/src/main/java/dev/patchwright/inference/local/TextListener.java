package dev.patchwright.inference.local;

/** Hears the text of each sample as it is generated, for streaming; called on the generating thread. */
@FunctionalInterface
public interface TextListener {

    /** Sample {@code sample} produced {@code text}, never empty; the pieces of a sample add up to its text. */
    void onText(int sample, String text);

    /** A listener that ignores all text. */
    TextListener NONE = (sample, text) -> { };
}
