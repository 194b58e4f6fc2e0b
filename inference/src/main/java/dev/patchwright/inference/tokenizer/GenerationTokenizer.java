package dev.patchwright.inference.tokenizer;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A tokenizer for generating text: a {@link BytePairEncoder} plus its vocabulary's added tokens,
 * the end-of-sequence tokens its config files declare, and its chat template's source. Plain
 * {@link #encode} and {@link #count} treat control-token text as ordinary text, as every
 * {@link Tokenizer} does; only {@link #encode(String, Set)} and {@link #encodeWithSpecialTokens}
 * turn it into control tokens, and only where the caller says so. Load one with
 * {@link Tokenizers#loadForGeneration}. Immutable and safe to share between threads.
 */
public final class GenerationTokenizer implements Tokenizer {

    private final BytePairEncoder encoder;
    private final AddedTokens addedTokens;
    private final TokenizerConfigFiles config;

    GenerationTokenizer(BytePairEncoder encoder, AddedTokens addedTokens, TokenizerConfigFiles config) {
        this.encoder = encoder;
        this.addedTokens = addedTokens;
        this.config = config;
    }

    @Override
    public String name() {
        return encoder.name();
    }

    /** {@inheritDoc} Added and special tokens' text is encoded as ordinary text. */
    @Override
    public int[] encode(String text) {
        return encoder.encode(text);
    }

    @Override
    public int count(String text) {
        return encoder.count(text);
    }

    /** {@inheritDoc} Added and special tokens give their text; bytes that are not UTF-8 give U+FFFD. */
    @Override
    public String decode(int[] ids) {
        return encoder.decode(ids);
    }

    /** The encoder underneath, for code that needs token bytes. */
    public BytePairEncoder encoder() {
        return encoder;
    }

    /** The vocabulary's added tokens: for Hugging Face files its {@code added_tokens}, for tiktoken its specials. */
    public AddedTokens addedTokens() {
        return addedTokens;
    }

    /**
     * The ids of {@code text}, where each occurrence of an added token named in {@code allowed}
     * becomes that token (the leftmost first, the longest of those starting at one place) and the
     * text between is encoded as by {@link #encode}. Added tokens not in {@code allowed} stay text.
     *
     * @throws IllegalArgumentException when {@code allowed} names text that is not an added token
     */
    public int[] encode(String text, Set<String> allowed) {
        for (String token : allowed) {
            addedTokens.require(token);
        }
        String[] tokens = allowed.toArray(String[]::new);
        // where each allowed token next occurs at or after `from`; recomputed only once passed
        int[] next = new int[tokens.length];
        Arrays.fill(next, -2);
        IntList ids = new IntList();
        int from = 0;
        while (true) {
            int at = -1;
            int best = -1;
            for (int t = 0; t < tokens.length; t++) {
                if (next[t] != -1 && next[t] < from) {
                    next[t] = text.indexOf(tokens[t], from);
                }
                if (next[t] >= 0 && (at < 0 || next[t] < at
                        || next[t] == at && tokens[t].length() > tokens[best].length())) {
                    at = next[t];
                    best = t;
                }
            }
            if (best < 0) {
                ids.addAll(encoder.encode(text.substring(from)));
                return ids.toArray();
            }
            ids.addAll(encoder.encode(text.substring(from, at)));
            ids.add(addedTokens.require(tokens[best]));
            from = at + tokens[best].length();
        }
    }

    /**
     * The ids of {@code text} with every added token recognised, special or not: what Hugging Face
     * tokenizers do with a rendered chat prompt. Use it only for text the caller wrote itself.
     */
    public int[] encodeWithSpecialTokens(String text) {
        return encode(text, addedTokens.texts());
    }

    /**
     * The ids that end generation according to the tokenizer's own files: {@code eos_token} of
     * {@code tokenizer_config.json}, {@code eos_token_id} of {@code generation_config.json}, and for
     * tiktoken encodings {@code <|endoftext|>}. A chat format adds its own; see
     * {@code ChatTemplate.stopTokenIds()}.
     */
    public Set<Integer> declaredStopTokenIds() {
        Set<Integer> ids = new LinkedHashSet<>(config.eosIds());
        for (String token : config.eosTokens()) {
            addedTokens.id(token).ifPresent(ids::add);
        }
        return Set.copyOf(ids);
    }

    /** The Jinja source of the chat template from {@code tokenizer_config.json}, if there is one. */
    public Optional<String> chatTemplateSource() {
        return Optional.ofNullable(config.chatTemplate());
    }

    /** A new decoder for one generated sequence, fed one id at a time. */
    public TokenStreamDecoder streamDecoder() {
        return new TokenStreamDecoder(encoder);
    }

    /** A growable list of ids, so that splitting around added tokens does not box every id. */
    private static final class IntList {
        private int[] values = new int[64];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void addAll(int[] more) {
            if (size + more.length > values.length) {
                values = Arrays.copyOf(values, Math.max(size * 2, size + more.length));
            }
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
