package dev.patchwright.inference.tokenizer;

import java.util.function.Supplier;

/**
 * A tokenizer loaded on first use: a caller that may find every count in a cache (a repeat pack)
 * does not pay for loading rank tables it never needs. Safe to share between threads; it loads once.
 */
final class DeferredTokenizer implements Tokenizer {

    private final String name;
    private final Supplier<Tokenizer> loader;
    private volatile Tokenizer loaded;

    DeferredTokenizer(String name, Supplier<Tokenizer> loader) {
        this.name = name;
        this.loader = loader;
    }

    private Tokenizer tokenizer() {
        Tokenizer result = loaded;
        if (result == null) {
            synchronized (this) {
                result = loaded;
                if (result == null) {
                    result = loader.get();
                    loaded = result;
                }
            }
        }
        return result;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] encode(String text) {
        return tokenizer().encode(text);
    }

    @Override
    public int count(String text) {
        return tokenizer().count(text);
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer().decode(ids);
    }
}
