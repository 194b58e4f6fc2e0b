package dev.patchwright.inference.eval.hashhop;

import dev.patchwright.inference.tokenizer.Tokenizer;
import java.util.Locale;

/**
 * How large a HashHop prompt (its hash lines) should be: a number of characters, or of tokens as one tokenizer
 * counts them. Written {@code 5000}, {@code 8k} (8,000) or {@code 1m} (1,000,000); {@code k} is a thousand, not
 * 1,024, so that a {@code 128k} prompt plus its instructions still fits a 131,072-token window.
 *
 * @param amount the size, at least 1
 * @param tokenizer the tokenizer that counts tokens, or null for a size in characters
 * @param label how the size was written, for tables and charts
 */
public record TaskSize(long amount, Tokenizer tokenizer, String label) {

    /** @throws IllegalArgumentException when amount is not positive */
    public TaskSize {
        if (amount < 1) {
            throw new IllegalArgumentException("a size must be at least 1, was " + amount);
        }
        if (label == null || label.isBlank()) {
            label = Long.toString(amount);
        }
    }

    /** {@code amount} characters. */
    public static TaskSize chars(long amount) {
        return new TaskSize(amount, null, Long.toString(amount));
    }

    /** {@code amount} tokens of {@code tokenizer}. */
    public static TaskSize tokens(long amount, Tokenizer tokenizer) {
        return new TaskSize(amount, tokenizer, Long.toString(amount));
    }

    /**
     * Parses {@code 8k}, {@code 1m} or a plain number; sized in tokens of {@code tokenizer}, or in characters when
     * it is null.
     *
     * @throws IllegalArgumentException naming the text when it is not such a size
     */
    public static TaskSize parse(String text, Tokenizer tokenizer) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        long unit = s.endsWith("k") ? 1_000 : s.endsWith("m") ? 1_000_000 : 1;
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        if (!digits.matches("[0-9]{1,9}") || Long.parseLong(digits) == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write for example 5000, 8k or 1m");
        }
        return new TaskSize(Long.parseLong(digits) * unit, tokenizer, s);
    }

    /** Whether the size counts tokens rather than characters. */
    public boolean inTokens() {
        return tokenizer != null;
    }

    /** The size of {@code text} in this size's unit. */
    public long measure(String text) {
        return tokenizer == null ? text.length() : tokenizer.count(text);
    }

    /** {@code "tokens"} (with the tokenizer's name) or {@code "chars"}. */
    public String unit() {
        return tokenizer == null ? "chars" : "tokens (" + tokenizer.name() + ")";
    }
}
