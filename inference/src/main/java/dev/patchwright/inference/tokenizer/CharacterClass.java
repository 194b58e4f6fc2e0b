package dev.patchwright.inference.tokenizer;

/**
 * The character classes the pre-tokenizer patterns test, as bit flags per code point, with the
 * meanings {@code java.util.regex} gives them under {@code UNICODE_CHARACTER_CLASS} (what jtokkit
 * compiles its patterns with): {@code \p{L}}, {@code \p{N}}, {@code \s} (Unicode White_Space).
 */
final class CharacterClass {

    static final int LETTER = 1;
    static final int NUMBER = 2;
    static final int SPACE = 4;
    /** {@code [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]} in o200k_base's pattern. */
    static final int UPPERISH = 8;
    /** {@code [\p{Ll}\p{Lm}\p{Lo}\p{M}]} in o200k_base's pattern. */
    static final int LOWERISH = 16;

    /** Flags of every BMP code point; surrogates get none, as a lone one is matched as itself. */
    private static final byte[] BMP = new byte[0x10000];

    static {
        for (int c = 0; c < BMP.length; c++) {
            BMP[c] = (byte) compute(c);
        }
    }

    private CharacterClass() {
    }

    static int of(char c) {
        return BMP[c];
    }

    static int ofCodePoint(int cp) {
        return cp < 0x10000 ? BMP[cp] : compute(cp);
    }

    private static int compute(int cp) {
        int type = Character.getType(cp);
        int flags = 0;
        switch (type) {
            case Character.UPPERCASE_LETTER, Character.TITLECASE_LETTER -> flags = LETTER | UPPERISH;
            case Character.LOWERCASE_LETTER -> flags = LETTER | LOWERISH;
            case Character.MODIFIER_LETTER, Character.OTHER_LETTER -> flags = LETTER | UPPERISH | LOWERISH;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK ->
                    flags = UPPERISH | LOWERISH;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> flags = NUMBER;
            default -> flags = 0;
        }
        boolean whiteSpace = type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || (cp >= 0x9 && cp <= 0xd) || cp == 0x85;
        return whiteSpace ? flags | SPACE : flags;
    }
}
