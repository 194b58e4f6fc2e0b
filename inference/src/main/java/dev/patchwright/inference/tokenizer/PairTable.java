package dev.patchwright.inference.tokenizer;

/**
 * Maps a pair of adjacent token ids to the merge that joins them: its rank (lower merges first) and
 * the id of the joined token, keyed by one {@code long} in open addressing. Built once, then read-only.
 */
final class PairTable {

    static final long ABSENT = -1L;

    // (slot) [2s] = left << 32 | right, -1 = empty; [2s+1] = rank << 32 | joined id: one cache line a lookup
    private final long[] slots;
    private final int capacity;
    private final int shift;
    private int size;

    PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2) * 2;
        this.capacity = capacity;
        slots = new long[2 * capacity];
        for (int s = 0; s < capacity; s++) {
            slots[2 * s] = -1L;
        }
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
    }

    /** Records that {@code left right} merge at {@code rank} into {@code joined}; a later put replaces. */
    void put(int left, int right, int rank, int joined) {
        if (size * 2 >= capacity) {
            throw new IllegalStateException("pair table is full at " + size + " merges");
        }
        long key = (long) left << 32 | right;
        int mask = capacity - 1;
        int slot = slot(key);
        while (slots[2 * slot] != -1L && slots[2 * slot] != key) {
            slot = (slot + 1) & mask;
        }
        if (slots[2 * slot] == -1L) {
            size++;
        }
        slots[2 * slot] = key;
        slots[2 * slot + 1] = (long) rank << 32 | joined;
    }

    /** {@code rank << 32 | joined}, or {@link #ABSENT}. */
    long get(int left, int right) {
        long key = (long) left << 32 | right;
        int mask = capacity - 1;
        int slot = slot(key);
        while (true) {
            long k = slots[2 * slot];
            if (k == key) {
                return slots[2 * slot + 1];
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
