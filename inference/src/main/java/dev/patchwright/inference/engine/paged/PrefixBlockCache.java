package dev.patchwright.inference.engine.paged;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Full KV blocks of earlier prompts, kept in the pool after their requests end, so that a prompt
 * that starts like an earlier one reuses them instead of processing those positions again (the
 * packed repository of the next round or review revision).
 *
 * <p>A block is addressed by its content: a hash chained over the token ids of the block and of
 * every block before it, so equal tokens at different places or after different predecessors are
 * different blocks. A hash only finds candidates: a block is reused only when its tokens equal the
 * prompt's and its predecessor is the block already matched, so two prompts whose hashes collide
 * never share keys and values. Only full blocks are cached; a sequence that starts with cached
 * blocks appends after them and never writes into them.
 *
 * <p>The cache holds one reference to each block it keeps. When the pool needs room it asks the
 * cache ({@link KvBlockPool.Reclaimer}), which releases the least recently used blocks that no
 * live sequence holds and that no cached block follows (a block's successors go first, since they
 * cannot be found without it). Not thread-safe: the engine thread calls it; {@link #blocks()} and
 * {@link #sharedBlocks()} may be read from any thread.
 */
public final class PrefixBlockCache implements KvBlockPool.Reclaimer {

    /** The hash of a block given its predecessor's hash and its tokens {@code [from, to)}. */
    @FunctionalInterface
    public interface BlockHash {
        long hash(long previous, int[] tokens, int from, int to);
    }

    /** 64-bit FNV-1a over the predecessor's hash and the token ids, then a final mix. */
    public static final BlockHash CHAINED = (previous, tokens, from, to) -> {
        long h = 0xcbf29ce484222325L ^ previous;
        for (int i = from; i < to; i++) {
            h = (h ^ tokens[i]) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    };

    private static final class Entry {
        final Entry parent; // null for a prompt's first block
        final long hash;
        final int[] tokens;
        final int block;
        int children; // cached blocks that follow this one
        long lastUse;
        boolean leaving; // chosen by the running reclaim

        Entry(Entry parent, long hash, int[] tokens, int block) {
            this.parent = parent;
            this.hash = hash;
            this.tokens = tokens;
            this.block = block;
        }
    }

    private final KvBlockPool pool;
    private final BlockHash hasher;
    private final Map<Long, List<Entry>> byHash = new HashMap<>();
    private final LinkedHashSet<Entry> recency = new LinkedHashSet<>(); // least recently used first
    private long clock;
    private volatile int blocks;
    private volatile int sharedBlocks;

    /** A cache over {@code pool} that the pool asks for room. */
    public PrefixBlockCache(KvBlockPool pool) {
        this(pool, CHAINED);
    }

    /** As {@link #PrefixBlockCache(KvBlockPool)} with another hash (a test's colliding one). */
    public PrefixBlockCache(KvBlockPool pool, BlockHash hasher) {
        this.pool = pool;
        this.hasher = hasher;
        pool.reclaimer(this);
    }

    /**
     * The cached blocks {@code prompt} starts with, in order, as many as cover fewer than all of
     * its tokens (the last token is always processed again, for the logits after it); marks them
     * used now.
     */
    public int[] match(int[] prompt) {
        int size = pool.blockPositions();
        int most = prompt.length == 0 ? 0 : (prompt.length - 1) / size;
        int[] found = new int[most];
        Entry parent = null;
        long previous = 0;
        int n = 0;
        while (n < most) {
            int from = n * size;
            long hash = hasher.hash(previous, prompt, from, from + size);
            Entry entry = find(parent, hash, prompt, from, from + size);
            if (entry == null) {
                break;
            }
            touch(entry);
            found[n++] = entry.block;
            parent = entry;
            previous = hash;
        }
        return Arrays.copyOf(found, n);
    }

    /** A sequence holding the cached blocks {@code prompt} starts with ({@link #match}); its length is the tokens they cover. */
    public PagedSequence start(int[] prompt) {
        return PagedSequence.sharing(pool, match(prompt));
    }

    /**
     * Keeps the full blocks of {@code sequence}, whose positions hold {@code prompt}'s first
     * tokens, for later prompts: those not cached yet get a reference from the cache. Where the
     * cache already has a block of the same content (computed twice), it keeps its own.
     *
     * @throws IllegalArgumentException when the sequence is shorter than the prompt's full blocks it is asked to keep
     */
    public void register(int[] prompt, PagedSequence sequence) {
        int size = pool.blockPositions();
        int full = Math.min(prompt.length, sequence.length()) / size;
        Entry parent = null;
        long previous = 0;
        for (int i = 0; i < full; i++) {
            int from = i * size;
            long hash = hasher.hash(previous, prompt, from, from + size);
            Entry entry = find(parent, hash, prompt, from, from + size);
            if (entry == null) {
                int block = sequence.block(i);
                pool.retain(block);
                entry = new Entry(parent, hash, Arrays.copyOfRange(prompt, from, from + size), block);
                byHash.computeIfAbsent(hash, h -> new ArrayList<>(1)).add(entry);
                if (parent != null) {
                    parent.children++;
                }
            }
            touch(entry);
            parent = entry;
            previous = hash;
        }
        recount();
    }

    /**
     * Releases up to {@code wanted} cached blocks that only the cache holds and that no cached
     * block follows, least recently used first (a block whose last successor goes becomes a
     * candidate in its turn).
     *
     * @return the blocks released
     */
    @Override
    public int reclaim(int wanted) {
        List<Entry> victims = new ArrayList<>();
        PriorityQueue<Entry> freedParents = new PriorityQueue<>((a, b) -> Long.compare(a.lastUse, b.lastUse));
        Iterator<Entry> oldestFirst = recency.iterator();
        Entry next = advance(oldestFirst);
        while (victims.size() < wanted) {
            while (next != null && next.leaving) { // a parent taken from the queue since
                next = advance(oldestFirst);
            }
            while (!freedParents.isEmpty() && freedParents.peek().leaving) {
                freedParents.poll();
            }
            Entry victim;
            if (!freedParents.isEmpty() && (next == null || freedParents.peek().lastUse <= next.lastUse)) {
                victim = freedParents.poll();
            } else if (next != null) {
                victim = next;
                next = advance(oldestFirst);
            } else {
                break;
            }
            victim.leaving = true;
            victims.add(victim);
            Entry parent = victim.parent;
            if (parent != null && --parent.children == 0 && pool.references(parent.block) == 1) {
                freedParents.add(parent);
            }
        }
        for (Entry victim : victims) {
            recency.remove(victim);
            List<Entry> bucket = byHash.get(victim.hash);
            bucket.remove(victim);
            if (bucket.isEmpty()) {
                byHash.remove(victim.hash);
            }
            pool.release(victim.block);
        }
        if (!victims.isEmpty()) {
            recount();
        }
        return victims.size();
    }

    /** Releases every block only the cache holds; blocks a live sequence holds stay cached. */
    public void clear() {
        reclaim(Integer.MAX_VALUE);
    }

    /** Blocks the cache holds. */
    public int blocks() {
        return blocks;
    }

    /** Cached blocks that two or more cached prompts start with (blocks followed by two or more chains). */
    public int sharedBlocks() {
        return sharedBlocks;
    }

    /** The next entry from the oldest on that only the cache holds and that no cached block follows. */
    private Entry advance(Iterator<Entry> oldestFirst) {
        while (oldestFirst.hasNext()) {
            Entry e = oldestFirst.next();
            if (!e.leaving && e.children == 0 && pool.references(e.block) == 1) {
                return e;
            }
        }
        return null;
    }

    private Entry find(Entry parent, long hash, int[] prompt, int from, int to) {
        List<Entry> bucket = byHash.get(hash);
        if (bucket == null) {
            return null;
        }
        for (Entry e : bucket) {
            if (e.parent == parent && Arrays.equals(e.tokens, 0, e.tokens.length, prompt, from, to)) {
                return e;
            }
        }
        return null;
    }

    private void touch(Entry entry) {
        recency.remove(entry);
        entry.lastUse = ++clock;
        recency.add(entry);
    }

    /** Counts the blocks and those on the way to two or more cached chains' ends. */
    private void recount() {
        Map<Entry, Integer> leavesBelow = new HashMap<>();
        for (Entry e : recency) {
            if (e.children == 0) {
                for (Entry up = e.parent; up != null; up = up.parent) {
                    leavesBelow.merge(up, 1, Integer::sum);
                }
            }
        }
        int shared = 0;
        for (int leaves : leavesBelow.values()) {
            if (leaves >= 2) {
                shared++;
            }
        }
        blocks = recency.size();
        sharedBlocks = shared;
    }
}
