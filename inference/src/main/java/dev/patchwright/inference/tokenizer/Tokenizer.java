package dev.patchwright.inference.tokenizer;

/**
 * Turns text into a model's token ids and back. Special tokens in the text are encoded as ordinary
 * text: counting a repository's files never gives them control tokens.
 */
public interface Tokenizer {

    /** The name it was loaded by, e.g. {@code o200k_base} or {@code hf:/path/tokenizer.json}. */
    String name();

    /** The token ids of {@code text}. */
    int[] encode(String text);

    /** How many tokens {@code text} has; the same as {@code encode(text).length}, without the array. */
    int count(String text);

    /** The text of {@code ids}. */
    String decode(int[] ids);
}
