package dev.patchwright.inference.tokenizer.chat;

import java.util.Arrays;

/**
 * A chat conversation rendered for a model: the prompt as text (for reading and logging) and as
 * the token ids to feed the model. Control tokens appear in {@code text} as their text, e.g.
 * {@code <|im_start|>}; in {@code ids} they are single control tokens, and message contents are
 * always ordinary text.
 *
 * @param text the rendered prompt
 * @param ids  its token ids
 */
public record ChatPrompt(String text, int[] ids) {

    public ChatPrompt {
        ids = ids.clone();
    }

    /** The token ids (a copy). */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** Shows the sizes only: prompts can hold whole repositories. */
    @Override
    public String toString() {
        return "ChatPrompt[chars=" + text.length() + ", tokens=" + ids.length + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChatPrompt that && text.equals(that.text) && Arrays.equals(ids, that.ids);
    }

    @Override
    public int hashCode() {
        return 31 * text.hashCode() + Arrays.hashCode(ids);
    }
}
