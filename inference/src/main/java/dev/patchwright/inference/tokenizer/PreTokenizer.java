package dev.patchwright.inference.tokenizer;

/** Splits text into the pieces that byte-pair merging works on; no merge crosses a piece's edge. */
interface PreTokenizer {

    /**
     * Where the piece that starts at {@code start} ends.
     *
     * @param text   the text, in {@code text[0, length)}
     * @param start  where the piece starts, below {@code length}
     * @param length where the text ends
     * @return the end of the piece, exclusive, above {@code start}
     */
    int pieceEnd(char[] text, int start, int length);
}
