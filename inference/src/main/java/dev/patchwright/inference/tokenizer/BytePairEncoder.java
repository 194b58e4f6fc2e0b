package dev.patchwright.inference.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;

/**
 * A byte-level BPE tokenizer: normalise (if the vocabulary says so), split into pieces with the
 * vocabulary's pre-tokenizer, then merge each piece's UTF-8 bytes by rank. Serves tiktoken encodings
 * ({@link TiktokenEncoding}) and Hugging Face {@code tokenizer.json} files ({@link HuggingFaceTokenizerFile}).
 *
 * <p>Immutable and safe to share between threads: each thread encodes in its own reused buffers, so
 * {@link #count} allocates nothing per token. Lone surrogates are encoded as {@code ?}, as
 * {@code String.getBytes(UTF_8)} does.
 */
public final class BytePairEncoder implements Tokenizer {

    private final String name;
    private final PreTokenizer preTokenizer;
    private final Normalizer.Form normalization;
    private final int[] byteIds;
    private final ByteSequenceTable wholePieces;
    private final PieceMerger merger;
    private final byte[][] tokenBytes;
    private final Map<String, Integer> specialTokens;
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    /**
     * @param normalization applied before splitting, or null for none
     * @param wholePieces   when not null, a piece that is itself a token becomes that token without
     *                      merging (tiktoken's rule, and Hugging Face's {@code ignore_merges})
     * @param tokenBytes    the bytes of each id, special tokens included; null for unused ids
     * @param specialTokens the text of each special (added) token and its id
     */
    BytePairEncoder(String name, PreTokenizer preTokenizer, Normalizer.Form normalization, int[] byteIds,
                    ByteSequenceTable wholePieces, PairTable pairs, byte[][] tokenBytes,
                    Map<String, Integer> specialTokens) {
        this.name = name;
        this.preTokenizer = preTokenizer;
        this.normalization = normalization;
        this.byteIds = byteIds.clone();
        this.wholePieces = wholePieces;
        this.merger = new PieceMerger(pairs, this.byteIds);
        this.tokenBytes = tokenBytes;
        this.specialTokens = Map.copyOf(specialTokens);
    }

    @Override
    public String name() {
        return name;
    }

    /** {@inheritDoc} Special tokens' text is encoded as ordinary text. */
    @Override
    public int[] encode(String text) {
        Workspace ws = workspaces.get();
        ws.start(true);
        encodeOrdinary(text, ws);
        return Arrays.copyOf(ws.out, ws.count);
    }

    @Override
    public int count(String text) {
        Workspace ws = workspaces.get();
        ws.start(false);
        encodeOrdinary(text, ws);
        return ws.count;
    }

    /**
     * The ids of {@code text} with the vocabulary's special (added) tokens recognised where their
     * exact text occurs, e.g. {@code <|endoftext|>}; the rest is encoded as by {@link #encode}.
     */
    public int[] encodeWithSpecialTokens(String text) {
        Workspace ws = workspaces.get();
        ws.start(true);
        int from = 0;
        while (from < text.length()) {
            int at = -1;
            String found = null;
            for (String special : specialTokens.keySet()) {
                int i = text.indexOf(special, from);
                if (i >= 0 && (at < 0 || i < at || (i == at && special.length() > found.length()))) {
                    at = i;
                    found = special;
                }
            }
            if (found == null) {
                encodeOrdinary(text.substring(from), ws);
                break;
            }
            encodeOrdinary(text.substring(from, at), ws);
            ws.emit(specialTokens.get(found));
            from = at + found.length();
        }
        return Arrays.copyOf(ws.out, ws.count);
    }

    /** {@inheritDoc} Bytes that are not valid UTF-8 become U+FFFD. */
    @Override
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /**
     * The bytes of {@code ids}, one token after another.
     *
     * @throws IllegalArgumentException for an id that is not in the vocabulary
     */
    public byte[] decodeBytes(int[] ids) {
        int length = 0;
        for (int id : ids) {
            length += bytesOf(id).length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (int id : ids) {
            byte[] bytes = tokenBytes[id];
            System.arraycopy(bytes, 0, out, at, bytes.length);
            at += bytes.length;
        }
        return out;
    }

    /** One more than the highest token id, special tokens included. */
    public int vocabularySize() {
        return tokenBytes.length;
    }

    private byte[] bytesOf(int id) {
        if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + name);
        }
        return tokenBytes[id];
    }

    private void encodeOrdinary(String text, Workspace ws) {
        if (normalization != null && !Normalizer.isNormalized(text, normalization)) {
            text = Normalizer.normalize(text, normalization);
        }
        int n = text.length();
        char[] chars = ws.chars(n);
        text.getChars(0, n, chars, 0);
        int start = 0;
        while (start < n) {
            int end = preTokenizer.pieceEnd(chars, start, n);
            encodePiece(chars, start, end, ws);
            start = end;
        }
    }

    private void encodePiece(char[] chars, int start, int end, Workspace ws) {
        byte[] piece = ws.piece(3 * (end - start));
        int n = 0;
        for (int k = start; k < end; k++) {
            char c = chars[k];
            if (c < 0x80) {
                piece[n++] = (byte) c;
            } else if (c < 0x800) {
                piece[n++] = (byte) (0xc0 | c >> 6);
                piece[n++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && k + 1 < end && Character.isLowSurrogate(chars[k + 1])) {
                int cp = Character.toCodePoint(c, chars[++k]);
                piece[n++] = (byte) (0xf0 | cp >> 18);
                piece[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
                piece[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
                piece[n++] = (byte) (0x80 | cp & 0x3f);
            } else if (Character.isSurrogate(c)) {
                piece[n++] = '?';
            } else {
                piece[n++] = (byte) (0xe0 | c >> 12);
                piece[n++] = (byte) (0x80 | c >> 6 & 0x3f);
                piece[n++] = (byte) (0x80 | c & 0x3f);
            }
        }
        if (n == 1) {
            ws.emit(byteIds[piece[0] & 0xff]);
            return;
        }
        int hash = ByteSequenceTable.hash(piece, 0, n);
        if (wholePieces != null) {
            int id = wholePieces.get(piece, 0, n, hash);
            if (id >= 0) {
                ws.emit(id);
                return;
            }
        }
        if (ws.emitCached(n, hash)) {
            return;
        }
        int m = merger.merge(ws, piece, n);
        int[] ids = ws.ids;
        for (int k = 0; k < m; k++) {
            ws.emit(ids[k]);
        }
        ws.cache(n, hash, ids, m);
    }
}
