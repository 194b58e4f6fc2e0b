package dev.patchwright.inference.tokenizer;

import java.util.Arrays;

/**
 * Maps byte sequences to token ids with open addressing over flat arrays: no boxing, no key objects,
 * and a lookup straight from a slice of a reused buffer. Built once, then read-only.
 */
final class ByteSequenceTable {

    private final int[] slots;       // entry index + 1; 0 = empty
    private final int[] slotHashes;
    private final int mask;
    private final byte[] pool;       // every key's bytes, one after another
    private final int[] offsets;     // (entry) where its key starts in pool
    private final int[] lengths;     // (entry)
    private final int[] values;      // (entry)
    private final int size;

    /** @param keys the byte sequences, {@code keys[i]} maps to {@code values[i]}; null keys are skipped */
    ByteSequenceTable(byte[][] keys, int[] ids) {
        int count = 0;
        long bytes = 0;
        for (byte[] key : keys) {
            if (key != null) {
                count++;
                bytes += key.length;
            }
        }
        int capacity = Integer.highestOneBit(Math.max(4, count) * 2) * 2;
        slots = new int[capacity];
        slotHashes = new int[capacity];
        mask = capacity - 1;
        pool = new byte[Math.toIntExact(bytes)];
        offsets = new int[count];
        lengths = new int[count];
        values = new int[count];
        int entry = 0;
        int at = 0;
        for (int i = 0; i < keys.length; i++) {
            byte[] key = keys[i];
            if (key == null || get(key, 0, key.length) >= 0) {
                continue;
            }
            System.arraycopy(key, 0, pool, at, key.length);
            offsets[entry] = at;
            lengths[entry] = key.length;
            values[entry] = ids[i];
            at += key.length;
            int h = hash(key, 0, key.length);
            int slot = h & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = entry + 1;
            slotHashes[slot] = h;
            entry++;
        }
        size = entry;
    }

    int size() {
        return size;
    }

    /** The id of {@code buf[off, off+len)}, or -1. */
    int get(byte[] buf, int off, int len) {
        return get(buf, off, len, hash(buf, off, len));
    }

    /** As {@link #get(byte[], int, int)} with the {@link #hash} of the slice already known. */
    int get(byte[] buf, int off, int len, int h) {
        int slot = h & mask;
        while (true) {
            int e = slots[slot];
            if (e == 0) {
                return -1;
            }
            if (slotHashes[slot] == h) {
                int entry = e - 1;
                int o = offsets[entry];
                if (lengths[entry] == len && Arrays.equals(pool, o, o + len, buf, off, off + len)) {
                    return values[entry];
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    static int hash(byte[] buf, int off, int len) {
        int h = len * 0x9E3779B1;
        for (int i = off, end = off + len; i < end; i++) {
            h = (h ^ buf[i]) * 0x01000193;
        }
        return h ^ (h >>> 15);
    }
}
