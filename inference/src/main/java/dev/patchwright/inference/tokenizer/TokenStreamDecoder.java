package dev.patchwright.inference.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns token ids, fed one at a time as a model generates them, into text. A byte-level token may
 * end in the middle of a UTF-8 character (an emoji is often two or three tokens): those bytes are
 * held back until the character is complete, so a chunk never ends in a broken character. Bytes
 * that can never become a character are replaced by U+FFFD as soon as that is certain, and an
 * unfinished character left at the end becomes U+FFFD at {@link #finish()}. The chunks of a whole
 * sequence, {@code finish()} included, join to exactly {@link BytePairEncoder#decode} of its ids.
 *
 * <p>One decoder follows one sequence; it is not safe to share between threads.
 */
public final class TokenStreamDecoder {

    private final BytePairEncoder encoder;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    // kept in write mode between calls: bytes of a character whose last bytes have not come yet
    private ByteBuffer pending = ByteBuffer.allocate(64);
    private CharBuffer chars = CharBuffer.allocate(64);
    private final int[] one = new int[1];

    /** A decoder for ids of {@code encoder}'s vocabulary. */
    public TokenStreamDecoder(BytePairEncoder encoder) {
        this.encoder = encoder;
    }

    /**
     * The text that token {@code id} completes: possibly empty (its bytes start a character that
     * later tokens finish), possibly more than the token's own bytes (it finished a character held
     * back before). Added and special tokens give their text, e.g. {@code <|im_end|>}.
     *
     * @throws IllegalArgumentException for an id that is not in the vocabulary; nothing is consumed
     */
    public String next(int id) {
        one[0] = id;
        byte[] bytes = encoder.decodeBytes(one);
        if (pending.remaining() < bytes.length) {
            pending = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + bytes.length))
                    .put(pending.flip());
        }
        pending.put(bytes);
        return drain(false);
    }

    /**
     * The text of bytes still held back, each unfinished character as U+FFFD (empty when nothing is
     * held); the decoder is then ready for a new sequence.
     */
    public String finish() {
        String rest = drain(true);
        utf8.reset();
        pending.clear();
        return rest;
    }

    /** Whether bytes of an unfinished character are held back. */
    public boolean holdsBytes() {
        return pending.position() > 0;
    }

    private String drain(boolean end) {
        pending.flip();
        chars.clear();
        // each byte gives at most one char (a 4-byte character gives 2), so this fits in one pass
        if (chars.capacity() < pending.remaining()) {
            chars = CharBuffer.allocate(Math.max(chars.capacity() * 2, pending.remaining()));
        }
        CoderResult result = utf8.decode(pending, chars, end);
        if (end && result.isUnderflow()) {
            result = utf8.flush(chars);
        }
        if (result.isOverflow()) {
            throw new IllegalStateException("UTF-8 decoding overflowed a buffer sized to its input");
        }
        pending.compact();
        return chars.flip().toString();
    }
}
