package dev.patchwright.inference.tokenizer.chat;

import dev.patchwright.inference.tokenizer.GenerationTokenizer;

import java.util.Arrays;

/**
 * Collects a prompt as control tokens and text. Text between two control tokens is encoded in one
 * piece, as Hugging Face encodes a rendered template between its added tokens, so that a template's
 * {@code "user\n"} and the message after it merge exactly as they would there.
 */
final class PromptBuilder {

    private final GenerationTokenizer tokenizer;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder run = new StringBuilder();
    private int[] ids = new int[256];
    private int size;

    PromptBuilder(GenerationTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Appends control token {@code token}; it must be one of the tokenizer's added tokens. */
    PromptBuilder token(String token) {
        int id = tokenizer.addedTokens().require(token);
        flush();
        text.append(token);
        add(new int[]{id});
        return this;
    }

    /** Appends ordinary text, encoded as text even where it spells a control token. */
    PromptBuilder text(String part) {
        text.append(part);
        run.append(part);
        return this;
    }

    ChatPrompt build() {
        flush();
        return new ChatPrompt(text.toString(), Arrays.copyOf(ids, size));
    }

    private void flush() {
        if (!run.isEmpty()) {
            add(tokenizer.encode(run.toString()));
            run.setLength(0);
        }
    }

    private void add(int[] more) {
        if (size + more.length > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
        }
        System.arraycopy(more, 0, ids, size, more.length);
        size += more.length;
    }
}
