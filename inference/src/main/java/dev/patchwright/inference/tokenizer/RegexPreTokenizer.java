package dev.patchwright.inference.tokenizer;

import java.nio.CharBuffer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A Hugging Face {@code Split} pre-tokenizer with behaviour {@code Isolated} for a pattern that no
 * {@link PieceScanner} matches: each match is a piece, and so is each stretch between matches.
 * Slower than a scanner (a matcher per piece), but any pattern {@code java.util.regex} reads works.
 */
final class RegexPreTokenizer implements PreTokenizer {

    private final Pattern pattern;

    /** @throws IllegalArgumentException when {@code java.util.regex} cannot read the pattern */
    RegexPreTokenizer(String regex) {
        try {
            this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pre-tokenizer pattern '" + regex + "' is not supported: "
                    + e.getDescription(), e);
        }
    }

    @Override
    public int pieceEnd(char[] text, int start, int length) {
        Matcher m = pattern.matcher(CharBuffer.wrap(text, 0, length));
        m.useTransparentBounds(true).useAnchoringBounds(false).region(start, length);
        while (m.find()) {
            if (m.end() > m.start()) {
                return m.start() == start ? m.end() : m.start();
            }
        }
        return length;
    }
}
