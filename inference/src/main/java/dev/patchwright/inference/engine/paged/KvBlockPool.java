package dev.patchwright.inference.engine.paged;

/**
 * The blocks of a paged KV cache, each {@link #blockPositions()} positions of every layer, and
 * who holds them: a reference count per block, a stack of free ones. Samples of one prompt hold
 * the prompt's blocks together; a block returns to the free stack when its last holder lets go.
 * Host-side bookkeeping only: the keys and values live on the device, at the block ids given here.
 * A {@link Reclaimer} (the {@link PrefixBlockCache}) may hold blocks no sequence needs any more and
 * give them back when the free stack runs short. Not thread-safe: one engine thread plans a step at
 * a time.
 */
public final class KvBlockPool {

    private final int blockPositions;
    private final int[] references; // (blocks) holders of each block, 0 when free
    private final int[] free; // stack of free block ids
    private int freeCount;
    private int shared;
    private Reclaimer reclaimer;

    /** Holds blocks it can let go of when the pool needs room: a cache of earlier prompts' blocks. */
    public interface Reclaimer {
        /**
         * Releases up to {@code blocks} blocks that only it holds (least recently used first).
         *
         * @return how many it released
         */
        int reclaim(int blocks);
    }

    /**
     * @param blocks how many blocks the device pool holds
     * @param blockPositions positions per block, 1 .. 32 (an attention warp scores one block at a time)
     * @throws IllegalArgumentException for sizes outside those
     */
    public KvBlockPool(int blocks, int blockPositions) {
        if (blocks < 1) {
            throw new IllegalArgumentException("a KV pool needs at least one block, found " + blocks);
        }
        if (blockPositions < 1 || blockPositions > 32) {
            throw new IllegalArgumentException("positions per KV block must be in 1..32, found " + blockPositions);
        }
        this.blockPositions = blockPositions;
        this.references = new int[blocks];
        this.free = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            free[i] = blocks - 1 - i; // block 0 is handed out first
        }
        this.freeCount = blocks;
    }

    public int blockPositions() {
        return blockPositions;
    }

    /** Blocks in the pool. */
    public int capacity() {
        return references.length;
    }

    /** Blocks some sequence holds. */
    public int used() {
        return references.length - freeCount;
    }

    /** Blocks free for new positions. */
    public int free() {
        return freeCount;
    }

    /** Blocks held by more than one sequence: positions stored once and read by several. */
    public int shared() {
        return shared;
    }

    /** How many sequences hold {@code block}. */
    public int references(int block) {
        return references[checked(block)];
    }

    /** Who to ask for blocks when too few are free; one at most ({@code null}: none). */
    public void reclaimer(Reclaimer reclaimer) {
        if (reclaimer != null && this.reclaimer != null && reclaimer != this.reclaimer) {
            throw new IllegalStateException("this KV pool already has a reclaimer");
        }
        this.reclaimer = reclaimer;
    }

    /**
     * Makes {@code blocks} blocks free, asking the reclaimer for what is missing. When even then
     * too few are free, throws; the reclaimer's released blocks stay free (no sequence held them).
     *
     * @throws KvPoolFullException when fewer than {@code blocks} can be made free
     */
    public void ensureFree(int blocks) {
        if (freeCount < blocks && reclaimer != null) {
            reclaimer.reclaim(blocks - freeCount);
        }
        if (freeCount < blocks) {
            throw new KvPoolFullException(blocks, freeCount, blockPositions);
        }
    }

    /**
     * Takes a free block for one holder, asking the reclaimer for one when none is free.
     *
     * @throws KvPoolFullException when none is free or can be made free
     */
    public int allocate() {
        if (freeCount == 0 && reclaimer != null) {
            reclaimer.reclaim(1);
        }
        if (freeCount == 0) {
            throw new KvPoolFullException(references.length, blockPositions);
        }
        int block = free[--freeCount];
        references[block] = 1;
        return block;
    }

    /** One more holder of a held block. */
    public void retain(int block) {
        if (references[checked(block)] == 0) {
            throw new IllegalStateException("KV block " + block + " is free; only a held block can be shared");
        }
        if (++references[block] == 2) {
            shared++;
        }
    }

    /** One holder fewer; the block is free again when none is left. */
    public void release(int block) {
        if (references[checked(block)] == 0) {
            throw new IllegalStateException("KV block " + block + " is already free");
        }
        if (--references[block] == 1) {
            shared--;
        } else if (references[block] == 0) {
            free[freeCount++] = block;
        }
    }

    private int checked(int block) {
        if (block < 0 || block >= references.length) {
            throw new IndexOutOfBoundsException("KV block " + block + " outside the pool's 0.." + (references.length - 1));
        }
        return block;
    }
}
