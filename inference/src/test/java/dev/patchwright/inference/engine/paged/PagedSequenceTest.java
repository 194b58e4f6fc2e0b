package dev.patchwright.inference.engine.paged;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PagedSequenceTest {

    @Test
    void samplesOfOnePromptHoldItsBlocksOnceAndCopyOnlyThePartlyFilledOne() {
        KvBlockPool pool = new KvBlockPool(64, 16);
        PagedSequence prompt = new PagedSequence(pool);
        PagedSequence.Append written = prompt.append(40); // blocks 0, 1 full; block 2 holds 8 of 16
        assertThat(written.slots()).hasSize(40);
        assertThat(written.slots()[0]).isEqualTo(0);
        assertThat(written.slots()[39]).isEqualTo(2 * 16 + 7);
        assertThat(written.copyFrom()).isEmpty();
        assertThat(pool.used()).isEqualTo(3);

        List<PagedSequence> samples = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            samples.add(prompt.fork());
        }
        assertThat(pool.used()).isEqualTo(3);
        assertThat(pool.shared()).isEqualTo(3);
        assertThat(pool.references(0)).isEqualTo(17);

        PagedSequence.Append first = samples.get(0).append(1);
        assertThat(first.copyFrom()).containsExactly(2);
        int copy = first.copyTo()[0];
        assertThat(first.slots()).containsExactly(copy * 16 + 8);
        assertThat(samples.get(0).blockTable()).containsExactly(0, 1, copy);
        assertThat(pool.references(2)).isEqualTo(16);

        PagedSequence.Append second = samples.get(0).append(1);
        assertThat(second.copyFrom()).as("the copy is its own now").isEmpty();
        assertThat(second.slots()).containsExactly(copy * 16 + 9);

        for (PagedSequence s : samples) {
            s.append(9); // fills the copied block (8 + 8) and starts another
        }
        assertThat(pool.used()).as("3 prompt blocks + 16 copies + 16 new blocks").isEqualTo(3 + 16 + 16);
        assertThat(pool.references(0)).isEqualTo(17);
        assertThat(pool.references(2)).as("only the prompt holds its partly filled block now").isEqualTo(1);

        samples.forEach(PagedSequence::close);
        assertThat(pool.used()).isEqualTo(3);
        assertThat(pool.shared()).isZero();
        prompt.close();
        assertThat(pool.used()).isZero();
        assertThat(pool.free()).isEqualTo(64);
    }

    @Test
    void aForkAtABlockBoundaryCopiesNothing() {
        KvBlockPool pool = new KvBlockPool(8, 4);
        PagedSequence prompt = new PagedSequence(pool);
        prompt.append(8);
        PagedSequence sample = prompt.fork();
        PagedSequence.Append next = sample.append(1);
        assertThat(next.copyFrom()).isEmpty();
        assertThat(sample.blockTable()).containsExactly(0, 1, 2);
        assertThat(next.slots()).containsExactly(2 * 4);
    }

    @Test
    void aFullPoolRefusesAnAppendAndChangesNothing() {
        KvBlockPool pool = new KvBlockPool(3, 4);
        PagedSequence a = new PagedSequence(pool);
        a.append(6);
        PagedSequence b = a.fork();
        assertThatThrownBy(() -> b.append(7)).isInstanceOf(KvPoolFullException.class)
                .hasMessage("KV cache full: 3 more blocks of 4 positions needed, 1 free");
        assertThat(b.length()).isEqualTo(6);
        assertThat(b.blockTable()).containsExactly(0, 1);
        assertThat(pool.used()).isEqualTo(2);
        assertThat(pool.references(1)).isEqualTo(2);
    }

    @Test
    void misuseIsNamed() {
        KvBlockPool pool = new KvBlockPool(2, 16);
        assertThatThrownBy(() -> pool.release(1)).hasMessage("KV block 1 is already free");
        assertThatThrownBy(() -> pool.retain(0)).hasMessage("KV block 0 is free; only a held block can be shared");
        assertThatThrownBy(() -> pool.references(2)).hasMessage("KV block 2 outside the pool's 0..1");
        assertThatThrownBy(() -> new KvBlockPool(2, 64)).hasMessageContaining("1..32");
        PagedSequence s = new PagedSequence(pool);
        s.close();
        s.close();
        assertThatThrownBy(() -> s.append(1)).hasMessage("sequence already released");
        pool.allocate();
        pool.allocate();
        assertThatThrownBy(pool::allocate).hasMessage("KV cache full: all 2 blocks of 16 positions are in use");
    }
}
