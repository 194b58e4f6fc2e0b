package dev.patchwright.inference.tokenizer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Maps byte sequences to token ids with open addressing over one flat array: no boxing, no key
 * objects, and a lookup straight from a slice of a reused buffer. Built once, then read-only.
 *
 * <p>Most lookups cost one cache line: each slot is two adjacent longs, the first holding the key's
 * hash, length and value, the second the key itself when it is at most 8 bytes long (nearly every
 * piece of real text), else where the key starts in a shared pool of longer keys.
 */
final class ByteSequenceTable {

    /** Longest key the slot layout holds: 12 bits of length. */
    static final int MAX_KEY_BYTES = (1 << 12) - 1;
    /** One more than the largest value the slot layout holds: 20 bits. */
    static final int MAX_VALUES = 1 << 20;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HASH_AND_LENGTH = 0xFFFFFFFF_FFF00000L;

    private final long[] slots;      // (slot) [2s] = hash << 32 | length << 20 | value, 0 = empty; [2s+1] = key or pool offset
    private final int mask;
    private final byte[] pool;       // the keys longer than 8 bytes, one after another
    private final int size;

    /**
     * @param keys the byte sequences, {@code keys[i]} maps to {@code values[i]}; null and empty keys
     *             are skipped, and of equal keys the first wins
     * @throws IllegalArgumentException for a key longer than {@link #MAX_KEY_BYTES} or a value
     *                                  outside {@code [0, MAX_VALUES)}
     */
    ByteSequenceTable(byte[][] keys, int[] values) {
        int count = 0;
        long longBytes = 0;
        for (byte[] key : keys) {
            if (key != null && key.length > 0) {
                count++;
                longBytes += key.length > 8 ? key.length : 0;
            }
        }
        int capacity = Integer.highestOneBit(Math.max(4, count) * 2) * 2;
        slots = new long[2 * capacity];
        mask = capacity - 1;
        pool = new byte[Math.toIntExact(longBytes)];
        int entries = 0;
        int at = 0;
        for (int i = 0; i < keys.length; i++) {
            byte[] key = keys[i];
            if (key == null || key.length == 0) {
                continue;
            }
            if (key.length > MAX_KEY_BYTES) {
                throw new IllegalArgumentException("token " + values[i] + " is " + key.length
                        + " bytes long; at most " + MAX_KEY_BYTES + " are supported");
            }
            if (values[i] < 0 || values[i] >= MAX_VALUES) {
                throw new IllegalArgumentException("token id " + values[i] + " is outside [0, " + MAX_VALUES + ")");
            }
            int h = hash(key, 0, key.length);
            if (get(key, 0, key.length, h) >= 0) {
                continue;
            }
            long data;
            if (key.length <= 8) {
                data = packed(key, 0, key.length);
            } else {
                System.arraycopy(key, 0, pool, at, key.length);
                data = at;
                at += key.length;
            }
            int slot = h & mask;
            while (slots[2 * slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[2 * slot] = (long) h << 32 | (long) key.length << 20 | values[i];
            slots[2 * slot + 1] = data;
            entries++;
        }
        size = entries;
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
        if (len == 0 || len > MAX_KEY_BYTES) {
            return -1;
        }
        long want = (long) h << 32 | (long) len << 20;
        long key = len <= 8 ? packed(buf, off, len) : 0;
        int slot = h & mask;
        while (true) {
            long meta = slots[2 * slot];
            if (meta == 0) {
                return -1;
            }
            if ((meta & HASH_AND_LENGTH) == want) {
                long data = slots[2 * slot + 1];
                if (len <= 8 ? data == key
                        : Arrays.equals(pool, (int) data, (int) data + len, buf, off, off + len)) {
                    return (int) (meta & (MAX_VALUES - 1));
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /** A hash of {@code buf[off, off+len)} that reads eight bytes at a time. */
    static int hash(byte[] buf, int off, int len) {
        long h = len * 0x9E3779B97F4A7C15L;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = (h ^ (long) LONGS.get(buf, i)) * 0xFF51AFD7ED558CCDL;
            h ^= h >>> 29;
        }
        if (i < end) {
            h = (h ^ packed(buf, i, end - i)) * 0xC4CEB9FE1A85EC53L;
            h ^= h >>> 29;
        }
        return (int) (h ^ h >>> 32);
    }

    /** {@code buf[off, off+len)}, len at most 8, as a little-endian long with zeros above. */
    private static long packed(byte[] buf, int off, int len) {
        if (off + 8 <= buf.length) {
            long word = (long) LONGS.get(buf, off);
            return len == 8 ? word : word & ((1L << (8 * len)) - 1);
        }
        long word = 0;
        for (int k = len - 1; k >= 0; k--) {
            word = word << 8 | (buf[off + k] & 0xFF);
        }
        return word;
    }
}
