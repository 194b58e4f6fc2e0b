package dev.patchwright.inference.engine.paged;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Plans run through {@link PagedAttentionTwin}, the Java twin of the device kernels, must give
 * plain causal attention over each sequence's positions, computed here in double.
 */
class AttentionPlanTest {

    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 8;
    private static final int BLOCK = 4;
    private static final AttentionPlan.Geometry SMALL = new AttentionPlan.Geometry(HEADS, KV_HEADS, BLOCK, 4, 8, 4);

    @Test
    void decodeOfSamplesOverOnePromptReadsThePromptOnceAndMatchesPlainAttention() {
        SplittableRandom random = new SplittableRandom(15);
        KvBlockPool pool = new KvBlockPool(64, BLOCK);
        float[] keys = new float[64 * KV_HEADS * BLOCK * HEAD_DIM];
        float[] values = new float[keys.length];
        PagedSequence prompt = new PagedSequence(pool);
        write(prompt.append(13), keys, values, random);
        List<PagedSequence> samples = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            PagedSequence s = prompt.fork();
            PagedSequence.Append a = s.append(1 + i);
            copy(a, keys, values);
            write(a, keys, values, random);
            samples.add(s);
        }
        int[][] tables = samples.stream().map(PagedSequence::blockTable).toArray(int[][]::new);
        int[] lengths = samples.stream().mapToInt(PagedSequence::length).toArray();
        AttentionPlan plan = AttentionPlan.decode(tables, lengths, SMALL);

        // 3 full prompt blocks shared by 5 rows, in segments of 2 rows (4 queries / group of 2), then 5 own segments
        assertThat(plan.segmentCount()).isEqualTo(3 + 5);
        assertThat(plan.segments[2]).as("shared positions").isEqualTo(12);
        assertThat(plan.segments[4]).as("rows of the first shared segment").isEqualTo(2);
        assertThat(plan.segments[7 * 3 + 1]).as("own segments start after the shared blocks").isEqualTo(12);

        float[] q = randoms(random, samples.size() * HEADS * HEAD_DIM);
        float[] out = PagedAttentionTwin.run(plan, SMALL, q, keys, values, HEAD_DIM);
        for (int r = 0; r < samples.size(); r++) {
            expectAttention(q, r, lengths[r] - 1, tables[r], keys, values, out);
        }
    }

    @Test
    void aPromptChunkSeesOnlyEarlierPositions() {
        SplittableRandom random = new SplittableRandom(7);
        KvBlockPool pool = new KvBlockPool(32, BLOCK);
        float[] keys = new float[32 * KV_HEADS * BLOCK * HEAD_DIM];
        float[] values = new float[keys.length];
        PagedSequence s = new PagedSequence(pool);
        write(s.append(10), keys, values, random);
        write(s.append(27), keys, values, random);
        AttentionPlan.Geometry wide = new AttentionPlan.Geometry(HEADS, KV_HEADS, BLOCK, 4, 64, 4);
        AttentionPlan plan = AttentionPlan.prompt(s.blockTable(), 10, 27, wide);
        assertThat(plan.segmentCount()).as("tiles of 2 rows").isEqualTo(14);
        assertThat(plan.workItems()).as("long tiles are split").isGreaterThan(14);
        float[] q = randoms(random, 27 * HEADS * HEAD_DIM);
        float[] out = PagedAttentionTwin.run(plan, wide, q, keys, values, HEAD_DIM);
        for (int t = 0; t < 27; t++) {
            expectAttention(q, t, 10 + t, s.blockTable(), keys, values, out);
        }
    }

    private static void expectAttention(float[] q, int row, int last, int[] table, float[] keys, float[] values, float[] out) {
        int group = HEADS / KV_HEADS;
        for (int h = 0; h < HEADS; h++) {
            double[] scores = new double[last + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p <= last; p++) {
                int at = at(table, p, h / group);
                double dot = 0;
                for (int d = 0; d < HEAD_DIM; d++) {
                    dot += q[(row * HEADS + h) * HEAD_DIM + d] * keys[at + d];
                }
                scores[p] = dot / Math.sqrt(HEAD_DIM);
                max = Math.max(max, scores[p]);
            }
            double sum = 0;
            for (int p = 0; p <= last; p++) {
                scores[p] = Math.exp(scores[p] - max);
                sum += scores[p];
            }
            for (int d = 0; d < HEAD_DIM; d++) {
                double o = 0;
                for (int p = 0; p <= last; p++) {
                    o += scores[p] / sum * values[at(table, p, h / group) + d];
                }
                assertThat((double) out[(row * HEADS + h) * HEAD_DIM + d]).as("row %d head %d dim %d", row, h, d)
                        .isCloseTo(o, within(1e-5));
            }
        }
    }

    private static int at(int[] table, int position, int kvHead) {
        return ((table[position / BLOCK] * KV_HEADS + kvHead) * BLOCK + position % BLOCK) * HEAD_DIM;
    }

    private static void copy(PagedSequence.Append a, float[] keys, float[] values) {
        int blockFloats = KV_HEADS * BLOCK * HEAD_DIM;
        for (int i = 0; i < a.copyFrom().length; i++) {
            System.arraycopy(keys, a.copyFrom()[i] * blockFloats, keys, a.copyTo()[i] * blockFloats, blockFloats);
            System.arraycopy(values, a.copyFrom()[i] * blockFloats, values, a.copyTo()[i] * blockFloats, blockFloats);
        }
    }

    private static void write(PagedSequence.Append a, float[] keys, float[] values, SplittableRandom random) {
        for (int slot : a.slots()) {
            for (int h = 0; h < KV_HEADS; h++) {
                int at = ((slot / BLOCK * KV_HEADS + h) * BLOCK + slot % BLOCK) * HEAD_DIM;
                for (int d = 0; d < HEAD_DIM; d++) {
                    keys[at + d] = (float) random.nextGaussian();
                    values[at + d] = (float) random.nextGaussian();
                }
            }
        }
    }

    private static float[] randoms(SplittableRandom random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
