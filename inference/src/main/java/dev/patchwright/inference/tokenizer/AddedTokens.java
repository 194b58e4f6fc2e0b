package dev.patchwright.inference.tokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * A vocabulary's added tokens: control tokens such as {@code <|im_start|>} or {@code <|eot_id|>},
 * each with its exact text and id. Hugging Face marks some of them {@code special} (they are
 * skipped by {@code skip_special_tokens}); others, like Qwen3's {@code <think>}, are added but not
 * special. Both kinds are matched whole when a chat prompt is encoded. Immutable.
 */
public final class AddedTokens {

    private final String tokenizer;
    private final Map<String, Integer> ids;
    private final Set<String> special;

    /**
     * @param tokenizer the tokenizer's name, for error messages
     * @param ids       every added token's text and id
     * @param special   the texts among {@code ids} that are marked special
     * @throws IllegalArgumentException when {@code special} names a text that is not in {@code ids}
     */
    AddedTokens(String tokenizer, Map<String, Integer> ids, Set<String> special) {
        for (String text : special) {
            if (!ids.containsKey(text)) {
                throw new IllegalArgumentException("special token '" + text + "' has no id in " + tokenizer);
            }
        }
        this.tokenizer = tokenizer;
        this.ids = Collections.unmodifiableMap(new LinkedHashMap<>(ids));
        this.special = Collections.unmodifiableSet(new TreeSet<>(special));
    }

    /** The id of the added token whose text is exactly {@code text}, if there is one. */
    public OptionalInt id(String text) {
        Integer id = ids.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The id of the added token {@code text}.
     *
     * @throws IllegalArgumentException when the vocabulary has no such added token; the message names
     *                                  the token and the tokenizer
     */
    public int require(String text) {
        Integer id = ids.get(text);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer " + tokenizer + " has no added token '" + text + "'");
        }
        return id;
    }

    /** Whether {@code text} is an added token. */
    public boolean contains(String text) {
        return ids.containsKey(text);
    }

    /** Whether {@code text} is an added token marked special. */
    public boolean isSpecial(String text) {
        return special.contains(text);
    }

    /** The text of every added token, special or not. */
    public Set<String> texts() {
        return ids.keySet();
    }

    /** The text of every added token marked special. */
    public Set<String> specialTexts() {
        return special;
    }
}
