package dev.patchwright.inference.tokenizer;

import java.util.Arrays;

/**
 * One thread's reusable buffers for encoding: the text's chars, the current piece's bytes, the ids
 * written so far, the merge arrays, and a direct-mapped cache of recent pieces' ids. Never shared
 * between threads; every buffer only grows.
 */
final class Workspace {

    private static final int CACHE_SLOTS = 1 << 13;
    private static final int MAX_CACHED_PIECE = 64;

    char[] chars = new char[1 << 12];
    byte[] piece = new byte[256];
    /** The ids written so far, when {@link #store} is on; {@link #count} counts them either way. */
    int[] out = new int[1 << 10];
    int count;
    boolean store;

    // merge state, one slot per byte of the piece
    int[] ids = new int[256];
    int[] ranks = new int[256];
    int[] joined = new int[256];
    int[] next = new int[256];
    int[] prev = new int[256];
    long[] heap = new long[256];

    private final byte[][] cacheKeys = new byte[CACHE_SLOTS][];
    private final int[][] cacheIds = new int[CACHE_SLOTS][];

    char[] chars(int length) {
        if (chars.length < length) {
            chars = new char[Math.max(length, chars.length * 2)];
        }
        return chars;
    }

    byte[] piece(int length) {
        if (piece.length < length) {
            byte[] grown = new byte[Math.max(length, piece.length * 2)];
            System.arraycopy(piece, 0, grown, 0, piece.length);
            piece = grown;
        }
        return piece;
    }

    void mergeCapacity(int length) {
        if (ids.length < length) {
            int size = Math.max(length, ids.length * 2);
            ids = new int[size];
            ranks = new int[size];
            joined = new int[size];
            next = new int[size];
            prev = new int[size];
            heap = new long[3 * size];
        }
    }

    void start(boolean store) {
        this.store = store;
        this.count = 0;
    }

    void emit(int id) {
        if (store) {
            if (count == out.length) {
                int[] grown = new int[out.length * 2];
                System.arraycopy(out, 0, grown, 0, count);
                out = grown;
            }
            out[count] = id;
        }
        count++;
    }

    /** Emits the cached ids of {@code piece[0, length)} and answers true, or answers false. */
    boolean emitCached(int length, int hash) {
        int slot = hash & (CACHE_SLOTS - 1);
        byte[] key = cacheKeys[slot];
        if (key == null || key.length != length || !Arrays.equals(key, 0, length, piece, 0, length)) {
            return false;
        }
        for (int id : cacheIds[slot]) {
            emit(id);
        }
        return true;
    }

    /** Remembers that {@code piece[0, length)} encodes to {@code idsOfPiece[0, idCount)}. */
    void cache(int length, int hash, int[] idsOfPiece, int idCount) {
        if (length > MAX_CACHED_PIECE) {
            return;
        }
        int slot = hash & (CACHE_SLOTS - 1);
        cacheKeys[slot] = Arrays.copyOf(piece, length);
        cacheIds[slot] = Arrays.copyOf(idsOfPiece, idCount);
    }
}
