package dev.patchwright.inference.tokenizer;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loads tokenizers by name. */
public final class Tokenizers {

    private static final Map<String, BytePairEncoder> TIKTOKEN = new ConcurrentHashMap<>();

    private Tokenizers() {
    }

    /**
     * A tokenizer by its spec: {@code o200k_base} or {@code cl100k_base} (loaded once, then shared), or
     * {@code hf:<path>} for a Hugging Face {@code tokenizer.json} or {@code tokenizer.json.gz} with a
     * byte-level BPE model (read on every call). The result is safe to share between threads.
     *
     * @throws IllegalArgumentException for an unknown name, naming the known ones, or for a
     *                                  tokenizer file that cannot be read or is not supported,
     *                                  naming what is wrong
     */
    public static Tokenizer load(String spec) {
        if (spec.startsWith("hf:")) {
            String path = spec.substring(3);
            if (path.isEmpty()) {
                throw new IllegalArgumentException("tokenizer spec 'hf:' names no file; write hf:/path/to/tokenizer.json");
            }
            return HuggingFaceTokenizerFile.load(spec, Path.of(path));
        }
        return switch (spec) {
            case "o200k_base", "cl100k_base" -> TIKTOKEN.computeIfAbsent(spec, TiktokenEncoding::load);
            default -> throw new IllegalArgumentException("unknown tokenizer '" + spec
                    + "'; known: o200k_base, cl100k_base, hf:<path to tokenizer.json>");
        };
    }

    /**
     * The tokenizer {@link #load} would give, loaded when it is first used rather than now. The spec
     * is checked now: an unknown name fails here. A {@code hf:} file is read now, so that a broken
     * file is reported before any work starts.
     *
     * @throws IllegalArgumentException as {@link #load} does
     */
    public static Tokenizer deferred(String spec) {
        return switch (spec) {
            case "o200k_base", "cl100k_base" -> TIKTOKEN.containsKey(spec) ? TIKTOKEN.get(spec)
                    : new DeferredTokenizer(spec, () -> load(spec));
            default -> load(spec);
        };
    }

    /**
     * A tokenizer for generating text, by the same spec as {@link #load}: with its added and special
     * tokens, and for {@code hf:<path>} what {@code tokenizer_config.json} and
     * {@code generation_config.json} beside the file say (end-of-sequence tokens, chat template).
     * For tiktoken encodings the added tokens are tiktoken's specials and {@code <|endoftext|>}
     * ends a sequence.
     *
     * @throws IllegalArgumentException as {@link #load}, or when a config file beside a
     *                                  {@code tokenizer.json} is not readable JSON
     */
    public static GenerationTokenizer loadForGeneration(String spec) {
        if (spec.startsWith("hf:")) {
            String path = spec.substring(3);
            if (path.isEmpty()) {
                throw new IllegalArgumentException("tokenizer spec 'hf:' names no file; write hf:/path/to/tokenizer.json");
            }
            return HuggingFaceTokenizerFile.loadForGeneration(spec, Path.of(path));
        }
        BytePairEncoder encoder = (BytePairEncoder) load(spec);
        Map<String, Integer> specials = TiktokenEncoding.specialTokens(spec);
        return new GenerationTokenizer(encoder, new AddedTokens(spec, specials, specials.keySet()),
                new TokenizerConfigFiles(null, Set.of("<|endoftext|>"), Set.of()));
    }
}
