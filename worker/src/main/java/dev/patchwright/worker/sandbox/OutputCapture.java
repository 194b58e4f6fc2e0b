package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a process's output on its own thread and keeps at most a fixed number of bytes: the
 * first half and the last half. A test suite that prints gigabytes costs a pipe read, not heap.
 */
final class OutputCapture {

    private final InputStream in;
    private final byte[] head;
    private final byte[] tail;
    private int headLength;
    /** Bytes ever written into {@link #tail}; the ring's start is {@code tailWritten % tail.length}. */
    private long tailWritten;
    private long total;
    private final Thread thread;

    /** Starts reading {@code in} at once on a daemon thread. */
    OutputCapture(InputStream in, int limitBytes, String threadName) {
        this.in = in;
        this.head = new byte[(limitBytes + 1) / 2];
        this.tail = new byte[limitBytes / 2];
        this.thread = new Thread(this::drain, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void drain() {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                accept(buffer, n);
            }
        } catch (IOException e) {
            // The stream closes when the process is killed; what was read so far is the output.
        }
    }

    private synchronized void accept(byte[] buffer, int n) {
        total += n;
        int offset = 0;
        if (headLength < head.length) {
            int take = Math.min(n, head.length - headLength);
            System.arraycopy(buffer, 0, head, headLength, take);
            headLength += take;
            offset = take;
        }
        if (tail.length == 0) {
            return;
        }
        for (int i = offset; i < n; i++) {
            tail[(int) (tailWritten++ % tail.length)] = buffer[i];
        }
    }

    /**
     * Waits up to {@code millis} for the stream to end (all writers gone). Returns false when
     * it did not end, which happens only if something outside the sandbox still holds the pipe.
     */
    boolean await(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    /** True when bytes were dropped. */
    synchronized boolean truncated() {
        return total > headLength + Math.min(tailWritten, tail.length);
    }

    /** The kept output as text, with a marker line where bytes were cut. */
    synchronized String text() {
        int tailLength = (int) Math.min(tailWritten, tail.length);
        byte[] tailBytes = new byte[tailLength];
        // Until the ring wraps the bytes start at 0; after, the oldest byte is at the write index.
        int start = tailWritten <= tail.length ? 0 : (int) (tailWritten % tail.length);
        for (int i = 0; i < tailLength; i++) {
            tailBytes[i] = tail[(start + i) % tail.length];
        }
        String headText = new String(head, 0, headLength, StandardCharsets.UTF_8);
        String tailText = new String(tailBytes, StandardCharsets.UTF_8);
        if (!truncated()) {
            return headText + tailText;
        }
        long cut = total - headLength - tailLength;
        return headText + "\n[... output truncated: " + cut + " bytes cut, " + total
                + " bytes in all ...]\n" + tailText;
    }
}
