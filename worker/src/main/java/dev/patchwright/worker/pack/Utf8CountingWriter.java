package dev.patchwright.worker.pack;

import java.io.IOException;
import java.io.Writer;

/** Passes characters through and counts how many bytes they take in UTF-8. */
final class Utf8CountingWriter extends Writer {

    private final Writer out;
    private long bytes;
    private int last = -1;

    Utf8CountingWriter(Writer out) {
        this.out = out;
    }

    long bytes() {
        return bytes;
    }

    /** The last character written, or -1 when nothing was. */
    int last() {
        return last;
    }

    @Override
    public void write(char[] chars, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            char c = chars[i];
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4; // with its low surrogate, which counts nothing below
            } else if (!Character.isLowSurrogate(c)) {
                bytes += 3;
            }
        }
        if (length > 0) {
            last = chars[offset + length - 1];
        }
        out.write(chars, offset, length);
    }

    @Override
    public void write(String text) throws IOException {
        write(text.toCharArray(), 0, text.length());
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes but leaves the underlying writer open: it belongs to the caller. */
    @Override
    public void close() throws IOException {
        out.flush();
    }
}
