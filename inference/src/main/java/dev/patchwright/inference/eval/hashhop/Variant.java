package dev.patchwright.inference.eval.hashhop;

import java.util.Locale;

/** What a HashHop query asks for. */
public enum Variant {
    /** Skip straight to the chain's last hash. */
    DIRECT("direct"),
    /** Write the whole chain, every hash after the query in order (chain of thought). */
    COT("cot");

    private final String label;

    Variant(String label) {
        this.label = label;
    }

    /** {@code direct} or {@code cot}, as on the command line and in results. */
    public String label() {
        return label;
    }

    /** @throws IllegalArgumentException naming the text and the known variants */
    public static Variant parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        for (Variant v : values()) {
            if (v.label.equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + text + "'; known: direct, cot");
    }
}
