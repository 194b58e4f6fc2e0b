package dev.patchwright.inference.local;

import dev.patchwright.inference.engine.KvCache;
import dev.patchwright.inference.engine.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KV caches of recent prompts, kept as a tree of blocks so that a new prompt reuses the longest cached
 * run of blocks it starts with. A block holds {@code blockTokens} positions (a prompt's last block fewer),
 * starts at a multiple of {@code blockTokens} and is a {@link KvCache#fork} of the block before it, so
 * reuse needs no copying: a prompt's samples fork its last block.
 *
 * <p>Reuse is by whole blocks: a prompt that shares 300 tokens with an earlier one reuses 256 of them at 128
 * tokens a block. When the blocks take more than {@code budgetBytes}, the least recently used blocks at the
 * tree's leaves go first. Not thread-safe: {@link LocalModel} calls it under its lock.
 */
final class PrefixCache {

    /** A prompt's processed state: the cache holding all its positions, the logits after its last token. */
    record Prefilled(KvCache cache, float[] logits, int cachedTokens) {
    }

    private static final class Block {
        final Block parent;
        final int[] tokens;
        final KvCache cache; // positions [end - tokens.length, end)
        final float[] logits; // (vocab) after the block's last token
        final List<Block> children = new ArrayList<>();
        long lastUse;

        Block(Block parent, int[] tokens, KvCache cache, float[] logits) {
            this.parent = parent;
            this.tokens = tokens;
            this.cache = cache;
            this.logits = logits;
        }

        long bytes() {
            return cache.ownBytes() + (long) logits.length * Float.BYTES + (long) tokens.length * Integer.BYTES;
        }
    }

    private final Transformer transformer;
    private final int blockTokens;
    private final long budgetBytes;
    private final Block root;
    private long clock;
    private volatile long bytes;
    private volatile int blocks;
    private volatile int sharedBlocks;

    /**
     * @throws IllegalArgumentException when blockTokens is not positive or the budget is negative
     */
    PrefixCache(Transformer transformer, int blockTokens, long budgetBytes) {
        if (blockTokens < 1 || budgetBytes < 0) {
            throw new IllegalArgumentException("blockTokens must be >= 1 and budgetBytes >= 0, were " + blockTokens
                    + " and " + budgetBytes);
        }
        this.transformer = transformer;
        this.blockTokens = blockTokens;
        this.budgetBytes = budgetBytes;
        this.root = new Block(null, new int[0], new KvCache(transformer.config(), 0), new float[0]);
    }

    /**
     * Processes {@code prompt}, reusing the cached blocks it starts with and caching the blocks it adds.
     *
     * @throws IllegalArgumentException on an empty prompt or a token id outside the vocabulary
     */
    Prefilled prefill(int[] prompt) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        Block at = root;
        int position = 0;
        descend:
        while (position < prompt.length) {
            for (Block child : at.children) {
                int end = position + child.tokens.length;
                if (end <= prompt.length && Arrays.equals(child.tokens, 0, child.tokens.length, prompt, position, end)) {
                    at = child;
                    position = end;
                    at.lastUse = ++clock;
                    continue descend;
                }
            }
            break;
        }
        int cached = position;
        while (position < prompt.length) {
            int end = Math.min(prompt.length, (position / blockTokens + 1) * blockTokens);
            int[] tokens = Arrays.copyOfRange(prompt, position, end);
            KvCache cache = at.cache.fork(tokens.length);
            float[] logits = transformer.forward(tokens, cache);
            Block block = new Block(at, tokens, cache, logits);
            block.lastUse = ++clock;
            at.children.add(block);
            bytes += block.bytes();
            at = block;
            position = end;
        }
        Prefilled result = new Prefilled(at.cache, at.logits, cached);
        evict();
        int[] counts = new int[2];
        count(root, counts);
        blocks = counts[0];
        sharedBlocks = counts[1];
        return result;
    }

    /** Cached blocks; readable while a prompt is being processed. */
    int blocks() {
        return blocks;
    }

    /** Cached blocks that two or more cached prompts start with, so that each of them reuses it. */
    int sharedBlocks() {
        return sharedBlocks;
    }

    /** Adds the blocks under {@code block} and those shared to {@code counts}; returns its leaves. */
    private static int count(Block block, int[] counts) {
        int leaves = 0;
        for (Block child : block.children) {
            counts[0]++;
            int below = count(child, counts);
            if (below >= 2) {
                counts[1]++;
            }
            leaves += below;
        }
        return Math.max(1, leaves);
    }

    /** Bytes the cached blocks hold: keys, values, logits and token ids. */
    long bytes() {
        return bytes;
    }

    private void evict() {
        while (bytes > budgetBytes) {
            Block oldest = oldestLeaf(root, null);
            if (oldest == null) {
                return;
            }
            oldest.parent.children.remove(oldest);
            bytes -= oldest.bytes();
        }
    }

    private static Block oldestLeaf(Block block, Block best) {
        for (Block child : block.children) {
            if (child.children.isEmpty()) {
                if (best == null || child.lastUse < best.lastUse) {
                    best = child;
                }
            } else {
                best = oldestLeaf(child, best);
            }
        }
        return best;
    }
}
