package dev.patchwright.inference.tokenizer;

import static dev.patchwright.inference.tokenizer.CharacterClass.LETTER;
import static dev.patchwright.inference.tokenizer.CharacterClass.LOWERISH;
import static dev.patchwright.inference.tokenizer.CharacterClass.NUMBER;
import static dev.patchwright.inference.tokenizer.CharacterClass.SPACE;
import static dev.patchwright.inference.tokenizer.CharacterClass.UPPERISH;

/**
 * A hand-written scanner that splits text exactly as the published pre-tokenizer patterns do under
 * {@code java.util.regex} (leftmost alternative first, greedy with backtracking), several times
 * faster. Two shapes exist:
 * <ul>
 *   <li>cl100k_base (also Llama 3, and Qwen2/Qwen3 with single digits):
 *   {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}</li>
 *   <li>o200k_base: letters split at case changes, contractions attached, {@code /} kept after
 *   punctuation.</li>
 * </ul>
 */
final class PieceScanner implements PreTokenizer {

    static final String CL100K_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String O200K_PATTERN = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
            + "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
            + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+"
            + "|\\s+(?!\\S)|\\s+";

    private static final int WORDLIKE = LETTER | NUMBER | SPACE;

    private final boolean o200k;
    private final int maxDigits;

    private PieceScanner(boolean o200k, int maxDigits) {
        this.o200k = o200k;
        this.maxDigits = maxDigits;
    }

    /** The scanner equivalent to {@code pattern}, or null when none is. */
    static PieceScanner forPattern(String pattern) {
        return switch (pattern) {
            case CL100K_PATTERN -> new PieceScanner(false, 3);
            case QWEN2_PATTERN -> new PieceScanner(false, 1);
            case O200K_PATTERN -> new PieceScanner(true, 3);
            default -> null;
        };
    }

    @Override
    public int pieceEnd(char[] t, int i, int n) {
        return o200k ? o200kEnd(t, i, n) : cl100kEnd(t, i, n);
    }

    private int cl100kEnd(char[] t, int i, int n) {
        char c = t[i];
        if (c == '\'') {
            int e = contractionEnd(t, i, n);
            if (e > 0) {
                return e;
            }
        }
        int f = flags(t, i, n);
        if ((f & LETTER) != 0) {
            return runEnd(t, i, n, LETTER);
        }
        if ((f & NUMBER) != 0) {
            return digitsEnd(t, i, n);
        }
        if (c != '\r' && c != '\n') {
            int j = i + width(t, i, n);
            if (j < n && (flags(t, j, n) & LETTER) != 0) {
                return runEnd(t, j, n, LETTER);
            }
        }
        return punctuationOrSpaceEnd(t, i, n, false);
    }

    private int o200kEnd(char[] t, int i, int n) {
        char c = t[i];
        int f = flags(t, i, n);
        int next = i + width(t, i, n);
        boolean prefix = (f & (LETTER | NUMBER)) == 0 && c != '\r' && c != '\n' && next < n;
        int e;
        if (prefix && (e = upperThenLowerEnd(t, next, n)) > 0) {
            return withContraction(t, e, n);
        }
        if ((e = upperThenLowerEnd(t, i, n)) > 0) {
            return withContraction(t, e, n);
        }
        if (prefix && (flags(t, next, n) & UPPERISH) != 0) {
            return withContraction(t, runEnd(t, runEnd(t, next, n, UPPERISH), n, LOWERISH), n);
        }
        if ((f & UPPERISH) != 0) {
            return withContraction(t, runEnd(t, runEnd(t, i, n, UPPERISH), n, LOWERISH), n);
        }
        if ((f & NUMBER) != 0) {
            return digitsEnd(t, i, n);
        }
        return punctuationOrSpaceEnd(t, i, n, true);
    }

    /** {@code [upperish]*[lowerish]+} from {@code p}, backtracking the first run as the regex does; -1 if none. */
    private static int upperThenLowerEnd(char[] t, int p, int n) {
        int k = runEnd(t, p, n, UPPERISH);
        while (true) {
            if (k < n && (flags(t, k, n) & LOWERISH) != 0) {
                return runEnd(t, k, n, LOWERISH);
            }
            if (k == p) {
                return -1;
            }
            k = k - 2 >= p && Character.isLowSurrogate(t[k - 1]) && Character.isHighSurrogate(t[k - 2]) ? k - 2 : k - 1;
        }
    }

    /** {@code  ?[^\s\p{L}\p{N}]+[\r\n]*} (with {@code /} too for o200k), else the whitespace alternatives. */
    private static int punctuationOrSpaceEnd(char[] t, int i, int n, boolean slash) {
        int j = t[i] == ' ' ? i + 1 : i;
        if (j < n && (flags(t, j, n) & WORDLIKE) == 0) {
            j = runEndWithout(t, j, n, WORDLIKE);
            while (j < n && (t[j] == '\r' || t[j] == '\n' || (slash && t[j] == '/'))) {
                j++;
            }
            return j;
        }
        return whitespaceEnd(t, i, n);
    }

    /** {@code \s*[\r\n]+|\s+(?!\S)|\s+} at a whitespace character; all White_Space is in the BMP. */
    private static int whitespaceEnd(char[] t, int i, int n) {
        int j = i;
        int lastNewline = -1;
        while (j < n && (CharacterClass.of(t[j]) & SPACE) != 0) {
            if (t[j] == '\r' || t[j] == '\n') {
                lastNewline = j;
            }
            j++;
        }
        if (lastNewline >= 0) {
            return lastNewline + 1;
        }
        if (j == n || j - i == 1) {
            return j;
        }
        return j - 1;
    }

    private int digitsEnd(char[] t, int i, int n) {
        int j = i;
        for (int k = 0; k < maxDigits && j < n && (flags(t, j, n) & NUMBER) != 0; k++) {
            j += width(t, j, n);
        }
        return j;
    }

    private static int withContraction(char[] t, int e, int n) {
        int c = e < n && t[e] == '\'' ? contractionEnd(t, e, n) : -1;
        return c > 0 ? c : e;
    }

    /**
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)} at {@code p}; -1 if none. With Unicode case the long s
     * (U+017F) matches {@code s}, as in jtokkit.
     */
    private static int contractionEnd(char[] t, int p, int n) {
        if (p + 1 >= n) {
            return -1;
        }
        char a = t[p + 1];
        if (a == 's' || a == 'S' || a == 't' || a == 'T' || a == 'm' || a == 'M' || a == 'd' || a == 'D'
                || a == '\u017f') {
            return p + 2;
        }
        if (p + 2 < n) {
            char b = t[p + 2];
            boolean e = b == 'e' || b == 'E';
            if ((e && (a == 'r' || a == 'R' || a == 'v' || a == 'V'))
                    || ((a == 'l' || a == 'L') && (b == 'l' || b == 'L'))) {
                return p + 3;
            }
        }
        return -1;
    }

    private static int runEnd(char[] t, int i, int n, int flag) {
        while (i < n) {
            char c = t[i];
            if (!Character.isSurrogate(c)) {
                if ((CharacterClass.of(c) & flag) == 0) {
                    return i;
                }
                i++;
            } else if ((flags(t, i, n) & flag) != 0) {
                i += width(t, i, n);
            } else {
                return i;
            }
        }
        return i;
    }

    private static int runEndWithout(char[] t, int i, int n, int flags) {
        while (i < n && (flags(t, i, n) & flags) == 0) {
            i += width(t, i, n);
        }
        return i;
    }

    /** The flags of the code point at {@code i}; none for a lone surrogate, which no class contains. */
    private static int flags(char[] t, int i, int n) {
        char c = t[i];
        if (!Character.isSurrogate(c)) {
            return CharacterClass.of(c);
        }
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(t[i + 1])) {
            return CharacterClass.ofCodePoint(Character.toCodePoint(c, t[i + 1]));
        }
        return 0;
    }

    private static int width(char[] t, int i, int n) {
        return Character.isHighSurrogate(t[i]) && i + 1 < n && Character.isLowSurrogate(t[i + 1]) ? 2 : 1;
    }
}
