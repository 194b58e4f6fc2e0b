package dev.patchwright.inference.engine.paged;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The host-side bookkeeping of GPU prefix reuse: which KV blocks a new prompt takes from earlier
 * ones, which blocks the cache gives back when the pool needs room, and which it must keep.
 * Blocks of 4 positions.
 */
class PrefixBlockCacheTest {

    private static final int SIZE = 4;

    /** Processes {@code prompt} as the engine does: cached blocks first, then new positions, then caches its full blocks. */
    private static PagedSequence process(PrefixBlockCache cache, int[] prompt) {
        PagedSequence sequence = cache.start(prompt);
        sequence.append(prompt.length - sequence.length());
        cache.register(prompt, sequence);
        return sequence;
    }

    private static int[] tokens(int from, int count) {
        return IntStream.range(from, from + count).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aPromptStartingLikeAnEarlierOneReusesItsFullBlocksAfterThatRequestEnded() {
        KvBlockPool pool = new KvBlockPool(64, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool);
        int[] first = tokens(100, 40);
        PagedSequence earlier = process(cache, first);
        int[] earlierBlocks = earlier.blockTable();
        earlier.close();
        assertThat(cache.blocks()).as("its 10 full blocks stay").isEqualTo(10);
        assertThat(pool.used()).isEqualTo(10);

        int[] next = concat(Arrays.copyOf(first, 40), tokens(900, 7)); // the same 40 tokens, then 7 new ones
        PagedSequence later = cache.start(next);
        assertThat(later.length()).as("positions served from the cache").isEqualTo(40);
        assertThat(later.blockTable()).containsExactly(earlierBlocks);
        assertThat(pool.references(earlierBlocks[0])).as("the cache and the new sequence").isEqualTo(2);
        PagedSequence.Append rest = later.append(7);
        assertThat(rest.copyFrom()).as("full blocks are never written, so never copied").isEmpty();
        assertThat(Arrays.stream(rest.slots()).map(slot -> slot / SIZE).toArray()).doesNotContain(earlierBlocks);
        cache.register(next, later);
        assertThat(cache.blocks()).as("one more full block: positions 40..43").isEqualTo(11);
        later.close();
        assertThat(pool.used()).isEqualTo(11);
    }

    @Test
    void theSamePromptAgainReusesAllButTheBlockHoldingItsLastToken() {
        KvBlockPool pool = new KvBlockPool(16, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool);
        int[] prompt = tokens(0, 12);
        process(cache, prompt).close();
        PagedSequence again = cache.start(prompt);
        assertThat(again.length()).as("the last token is processed again, for the logits after it").isEqualTo(8);
        assertThat(cache.start(tokens(0, 13)).length()).as("one token more: all three blocks").isEqualTo(12);
    }

    @Test
    void aPromptDivergingMidBlockReusesOnlyTheBlocksBeforeIt() {
        KvBlockPool pool = new KvBlockPool(64, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool);
        int[] first = tokens(0, 20);
        PagedSequence earlier = process(cache, first);
        int[] earlierBlocks = earlier.blockTable();
        earlier.close();

        int[] diverging = first.clone();
        diverging[9] = 777; // inside the third block (positions 8..11)
        PagedSequence later = cache.start(diverging);
        assertThat(later.length()).isEqualTo(8);
        assertThat(later.blockTable()).containsExactly(earlierBlocks[0], earlierBlocks[1]);
        later.append(diverging.length - 8);
        cache.register(diverging, later);
        assertThat(later.block(2)).as("its own third block").isNotEqualTo(earlierBlocks[2]);
        assertThat(pool.references(earlierBlocks[2])).as("the earlier third block is untouched, held by the cache alone")
                .isEqualTo(1);
        later.close();
        assertThat(cache.sharedBlocks()).as("two cached prompts start with the first two blocks").isEqualTo(2);
        assertThat(cache.start(concat(first, tokens(50, 1))).blockTable()).as("the first prompt still finds all its blocks")
                .containsExactly(earlierBlocks);
    }

    @Test
    void theLeastRecentlyUsedBlocksGoFirstLastBlockOfAChainBeforeItsStart() {
        KvBlockPool pool = new KvBlockPool(12, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool);
        int[] a = tokens(0, 16);
        int[] b = tokens(100, 16);
        int[] c = tokens(200, 16);
        int[][] blocks = new int[3][];
        int i = 0;
        for (int[] prompt : new int[][] {a, b, c}) {
            PagedSequence s = process(cache, prompt);
            blocks[i++] = s.blockTable();
            s.close();
        }
        assertThat(pool.free()).isZero();
        cache.match(concat(a, tokens(1, 1))); // a is used again: b is now the least recently used
        cache.match(tokens(100, 5)); // b's first block is used, not the rest of b

        PagedSequence newcomer = new PagedSequence(pool);
        newcomer.append(2 * SIZE); // needs two blocks: b's last two go, the later ones first
        assertThat(newcomer.blockTable()).containsExactlyInAnyOrder(blocks[1][3], blocks[1][2]);
        assertThat(cache.blocks()).isEqualTo(10);
        assertThat(cache.match(concat(b, tokens(1, 1)))).as("b keeps the blocks before the evicted ones")
                .containsExactly(blocks[1][0], blocks[1][1]);
        assertThat(cache.match(concat(a, tokens(1, 1)))).containsExactly(blocks[0]);
        assertThat(cache.match(concat(c, tokens(1, 1)))).containsExactly(blocks[2]);

        newcomer.append(2 * SIZE); // the matches above used b, then a, then c: b's two blocks are the oldest again
        assertThat(cache.match(concat(b, tokens(1, 1)))).isEmpty();
        assertThat(cache.match(concat(a, tokens(1, 1)))).containsExactly(blocks[0]);
        assertThat(cache.match(concat(c, tokens(1, 1)))).containsExactly(blocks[2]);
    }

    @Test
    void blocksALiveSequenceHoldsAreNeverEvictedAndAFullPoolRefusesWithoutChangingTheSequence() {
        KvBlockPool pool = new KvBlockPool(6, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool);
        int[] prompt = tokens(0, 16);
        process(cache, prompt).close();
        PagedSequence live = cache.start(concat(prompt, tokens(99, 1)));
        assertThat(live.length()).isEqualTo(16);
        live.append(1); // a fifth block, private

        PagedSequence other = new PagedSequence(pool);
        other.append(SIZE); // the sixth and last block
        assertThatThrownBy(() -> other.append(SIZE)).isInstanceOf(KvPoolFullException.class)
                .hasMessageContaining("1 more blocks of 4 positions needed, 0 free");
        assertThat(other.length()).as("the refused append changed nothing").isEqualTo(SIZE);
        assertThat(cache.blocks()).as("all four cached blocks are in use by the live sequence: none went").isEqualTo(4);
        assertThat(cache.match(concat(prompt, tokens(99, 1)))).containsExactly(live.blockTable()[0], live.blockTable()[1],
                live.blockTable()[2], live.blockTable()[3]);

        live.close(); // its private block is free; only the cache holds the others, so the pool can take them back
        other.append(2 * SIZE);
        assertThat(cache.blocks()).as("the free block and one cached block taken").isEqualTo(3);
        assertThat(other.length()).isEqualTo(3 * SIZE);
        assertThat(cache.match(concat(prompt, tokens(99, 1)))).as("the chain's last block went first").hasSize(3);
    }

    @Test
    void aPoolFullOfLiveSequencesRefusesEvenWithACache() {
        KvBlockPool pool = new KvBlockPool(2, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool);
        PagedSequence s = cache.start(tokens(0, 9));
        assertThatThrownBy(() -> s.append(9)).isInstanceOf(KvPoolFullException.class)
                .hasMessageContaining("3 more blocks of 4 positions needed, 2 free");
        assertThat(s.length()).isZero();
        assertThat(pool.used()).isZero();
    }

    @Test
    void collidingHashesNeverServeAnotherPromptsKeysAndValues() {
        KvBlockPool pool = new KvBlockPool(32, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool, (previous, t, from, to) -> 42L); // every block collides
        int[] a = concat(tokens(0, 4), tokens(50, 4)); // [0..3] [50..53]
        int[] b = concat(tokens(10, 4), tokens(50, 4)); // [10..13] [50..53]: the same second block after another first
        PagedSequence sa = process(cache, concat(a, tokens(1, 1)));
        int[] aBlocks = Arrays.copyOf(sa.blockTable(), 2);
        sa.close();
        assertThat(cache.match(concat(b, tokens(1, 1)))).as("nothing of a serves b").isEmpty();
        PagedSequence sb = process(cache, concat(b, tokens(1, 1)));
        int[] bBlocks = Arrays.copyOf(sb.blockTable(), 2);
        sb.close();
        assertThat(bBlocks).doesNotContain(aBlocks);
        assertThat(cache.blocks()).isEqualTo(4);
        assertThat(cache.match(concat(a, tokens(1, 1)))).containsExactly(aBlocks);
        assertThat(cache.match(concat(b, tokens(1, 1)))).containsExactly(bBlocks);
        assertThat(cache.match(concat(tokens(20, 8), tokens(1, 1)))).isEmpty();
    }

    @Test
    void aBlockComputedTwiceIsCachedOnceAndTheDuplicateFreedWithItsSequence() {
        KvBlockPool pool = new KvBlockPool(16, SIZE);
        PrefixBlockCache cache = new PrefixBlockCache(pool);
        int[] prompt = tokens(0, 9);
        PagedSequence first = new PagedSequence(pool); // processed without looking in the cache
        first.append(9);
        PagedSequence second = new PagedSequence(pool);
        second.append(9);
        cache.register(prompt, first);
        cache.register(prompt, second);
        assertThat(cache.blocks()).isEqualTo(2);
        assertThat(cache.match(prompt)).containsExactly(first.block(0), first.block(1));
        first.close();
        second.close();
        assertThat(pool.used()).as("only the cached copy stays").isEqualTo(2);
        cache.clear();
        assertThat(pool.used()).isZero();
        assertThat(cache.blocks()).isZero();
    }

    @Test
    void aPoolTakesOneReclaimerOnly() {
        KvBlockPool pool = new KvBlockPool(4, SIZE);
        new PrefixBlockCache(pool);
        assertThatThrownBy(() -> new PrefixBlockCache(pool)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a reclaimer");
    }
}
