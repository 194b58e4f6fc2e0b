package dev.patchwright.inference.engine.paged;

import java.util.Arrays;

/**
 * One sequence's positions in a paged KV cache: its block table (block ids in position order) and
 * length. {@link #fork()} makes a sequence that holds the same blocks, so N samples over one prompt
 * store the prompt once; when a fork first writes into a block another sequence also holds (the
 * prompt's partly filled last block), {@link #append} gives it a copy of its own (copy on write)
 * and says which device copy to make. Closing releases the blocks.
 */
public final class PagedSequence implements AutoCloseable {

    /**
     * Where the keys and values of appended positions go, and the block copies to make first.
     *
     * @param slots per new position, {@code block id * block positions + offset}
     * @param copyFrom blocks to copy (every layer) before writing, paired with {@code copyTo}
     * @param copyTo the sequence's new private blocks
     */
    public record Append(int[] slots, int[] copyFrom, int[] copyTo) {
    }

    private final KvBlockPool pool;
    private int[] table;
    private int blocks;
    private int length;
    private boolean closed;

    /** An empty sequence over {@code pool}. */
    public PagedSequence(KvBlockPool pool) {
        this(pool, new int[4], 0, 0);
    }

    private PagedSequence(KvBlockPool pool, int[] table, int blocks, int length) {
        this.pool = pool;
        this.table = table;
        this.blocks = blocks;
        this.length = length;
    }

    /**
     * A sequence that starts with {@code fullBlocks}, each full of its predecessors' positions (a
     * cached prompt's blocks), holding a reference to each. Appending never writes into them.
     *
     * @throws IllegalStateException when one of them is free
     */
    public static PagedSequence sharing(KvBlockPool pool, int[] fullBlocks) {
        for (int i = 0; i < fullBlocks.length; i++) {
            try {
                pool.retain(fullBlocks[i]);
            } catch (RuntimeException e) {
                for (int j = 0; j < i; j++) {
                    pool.release(fullBlocks[j]);
                }
                throw e;
            }
        }
        int[] table = Arrays.copyOf(fullBlocks, Math.max(4, fullBlocks.length));
        return new PagedSequence(pool, table, fullBlocks.length, fullBlocks.length * pool.blockPositions());
    }

    /** Positions written so far: the position of the next token. */
    public int length() {
        return length;
    }

    /** The block ids, one per {@code blockPositions} positions: what the device's block table holds. */
    public int[] blockTable() {
        return Arrays.copyOf(table, blocks);
    }

    /** Block id at index {@code i} of the table. */
    public int block(int i) {
        if (i < 0 || i >= blocks) {
            throw new IndexOutOfBoundsException("block " + i + " of a table of " + blocks);
        }
        return table[i];
    }

    public int blocks() {
        return blocks;
    }

    public KvBlockPool pool() {
        return pool;
    }

    /** A sequence with this one's positions, holding the same blocks (no copy). */
    public PagedSequence fork() {
        open();
        for (int i = 0; i < blocks; i++) {
            pool.retain(table[i]);
        }
        return new PagedSequence(pool, Arrays.copyOf(table, Math.max(4, blocks)), blocks, length);
    }

    /**
     * Reserves {@code count} positions after the current ones. Either every block needed is taken
     * or, when the pool has too few even after its reclaimer let go of what it could, the sequence
     * does not change.
     *
     * @throws KvPoolFullException when the pool has too few free blocks
     */
    public Append append(int count) {
        open();
        if (count < 0) {
            throw new IllegalArgumentException("cannot append " + count + " positions");
        }
        int size = pool.blockPositions();
        boolean copy = count > 0 && length % size != 0 && pool.references(table[length / size]) > 1;
        int newBlocks = (length + count + size - 1) / size - blocks;
        int needed = newBlocks + (copy ? 1 : 0);
        pool.ensureFree(needed);
        int[] from = new int[copy ? 1 : 0];
        int[] to = new int[copy ? 1 : 0];
        if (copy) {
            int index = length / size;
            from[0] = table[index];
            to[0] = pool.allocate();
            pool.release(from[0]);
            table[index] = to[0];
        }
        int[] slots = new int[count];
        for (int i = 0; i < count; i++) {
            int position = length + i;
            if (position / size == blocks) {
                if (blocks == table.length) {
                    table = Arrays.copyOf(table, blocks * 2);
                }
                table[blocks++] = pool.allocate();
            }
            slots[i] = table[position / size] * size + position % size;
        }
        length += count;
        return new Append(slots, from, to);
    }

    /** Releases the blocks; the sequence can no longer be used. Closing twice does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (int i = 0; i < blocks; i++) {
                pool.release(table[i]);
            }
            blocks = 0;
        }
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("sequence already released");
        }
    }
}
