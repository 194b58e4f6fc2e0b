package dev.patchwright.inference.engine;

import java.util.Arrays;

/**
 * The keys and values of the positions a sequence has seen, per layer, as floats.
 *
 * <p>A cache may be a {@link #fork} of another: it then reads positions {@code [0, start())} from
 * its parent, read-only and shared, and stores only the positions it appends itself. N samples of
 * one prompt thus share the prompt's cache instead of copying it. A parent may keep growing after
 * a fork; the fork still sees only the positions the parent had when it was forked.
 *
 * <p>Not thread-safe: one sequence appends at a time. Own rows are laid out as
 * {@code (rows, kv_heads * head_dim)} per layer, row {@code i} holding position
 * {@code start() + i}; rows are allocated as positions arrive, up to the capacity.
 */
public final class KvCache {

    /** Rows allocated up front; storage doubles as positions arrive, up to the capacity. */
    private static final int INITIAL_ROWS = 64;

    private final KvCache parent;
    private final int start;
    private final int kvDim;
    private final int capacity;
    private final float[][] keys; // (layer, rows * kv_heads * head_dim)
    private final float[][] values; // (layer, rows * kv_heads * head_dim)
    private int length;

    /**
     * An empty cache for up to {@code capacity} positions.
     *
     * @throws IllegalArgumentException when the capacity is negative
     */
    public KvCache(ModelConfig config, int capacity) {
        this(null, 0, config.layers(), config.kvDim(), capacity);
    }

    private KvCache(KvCache parent, int start, int layers, int kvDim, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache capacity must be >= 0, found " + capacity);
        }
        this.parent = parent;
        this.start = start;
        this.kvDim = kvDim;
        this.capacity = capacity;
        if ((long) capacity * kvDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cache capacity " + capacity + " x " + kvDim + " floats is too large for one array");
        }
        int initialRows = Math.min(capacity, INITIAL_ROWS);
        this.keys = new float[layers][initialRows * kvDim];
        this.values = new float[layers][initialRows * kvDim];
        this.length = start;
    }

    /**
     * A cache that shares this one's current positions read-only and appends up to
     * {@code capacity} positions of its own.
     */
    public KvCache fork(int capacity) {
        return new KvCache(this, length, keys.length, kvDim, capacity);
    }

    /** Positions this cache holds, shared ones included: the position of the next token. */
    public int length() {
        return length;
    }

    /** The most positions this cache can hold, shared ones included. */
    public int limit() {
        return start + capacity;
    }

    /** The cache this one was forked from, or {@code null}. */
    public KvCache parent() {
        return parent;
    }

    /** The first position this cache stores itself; earlier ones are read from {@link #parent()}. */
    public int start() {
        return start;
    }

    /** Width of a key or value row: {@code kv_heads * head_dim}. */
    public int kvDim() {
        return kvDim;
    }

    /** This cache's own keys of a layer, {@code (rows, kv_dim)}; row {@code i} is position {@code start() + i}. */
    public float[] keys(int layer) {
        return keys[layer];
    }

    /** This cache's own values of a layer, laid out as {@link #keys(int)}. */
    public float[] values(int layer) {
        return values[layer];
    }

    /** Bytes this cache has allocated itself, shared positions not counted. */
    public long ownBytes() {
        long bytes = 0;
        for (int l = 0; l < keys.length; l++) {
            bytes += (long) (keys[l].length + values[l].length) * Float.BYTES;
        }
        return bytes;
    }

    /** Layers this cache holds keys and values for. */
    public int layers() {
        return keys.length;
    }

    /** Stores the keys and values of {@code count} new positions of a layer (rows of {@code kv_dim}). */
    void write(int layer, float[] k, float[] v, int fromRow, int count) {
        int rows = length - start + count;
        if (rows > capacity) {
            throw new IllegalArgumentException("KV cache full: " + length + " + " + count + " positions exceed its limit of " + limit());
        }
        if (rows * kvDim > keys[layer].length) {
            int grown = (int) Math.min(capacity, Math.max((long) rows, 2L * keys[layer].length / Math.max(1, kvDim)));
            keys[layer] = Arrays.copyOf(keys[layer], grown * kvDim);
            values[layer] = Arrays.copyOf(values[layer], grown * kvDim);
        }
        int offset = (length - start) * kvDim;
        System.arraycopy(k, fromRow * kvDim, keys[layer], offset, count * kvDim);
        System.arraycopy(v, fromRow * kvDim, values[layer], offset, count * kvDim);
    }

    /** Makes {@code count} written positions part of the cache. */
    void advance(int count) {
        if (length + count > limit()) {
            throw new IllegalArgumentException("KV cache full: " + length + " + " + count + " positions exceed its limit of " + limit());
        }
        length += count;
    }
}
