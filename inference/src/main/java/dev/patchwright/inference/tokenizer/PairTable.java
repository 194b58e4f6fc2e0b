package dev.patchwright.inference.tokenizer;

import java.util.Arrays;

/**
 * Maps a pair of adjacent token ids to the merge that joins them: its rank (lower merges first) and
 * the id of the joined token, keyed by one {@code long} in open addressing. Built once, then read-only.
 */
final class PairTable {

    static final long ABSENT = -1L;

    private final long[] keys;   // (left << 32 | right); -1 = empty
    private final long[] merges; // (rank << 32 | joined id)
    private final int shift;
    private int size;

    PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2) * 2;
        keys = new long[capacity];
        merges = new long[capacity];
        Arrays.fill(keys, -1L);
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    /** Records that {@code left right} merge at {@code rank} into {@code joined}; a later put replaces. */
    void put(int left, int right, int rank, int joined) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("pair table is full at " + size + " merges");
        }
        long key = (long) left << 32 | right;
        int mask = keys.length - 1;
        int slot = slot(key);
        while (keys[slot] != -1L && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        if (keys[slot] == -1L) {
            size++;
        }
        keys[slot] = key;
        merges[slot] = (long) rank << 32 | joined;
    }

    /** {@code rank << 32 | joined}, or {@link #ABSENT}. */
    long get(int left, int right) {
        long key = (long) left << 32 | right;
        int mask = keys.length - 1;
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return merges[slot];
            }
            if (k == -1L) {
                return ABSENT;
            }
            slot = (slot + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
