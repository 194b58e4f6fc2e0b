package dev.patchwright.inference.engine.paged;

import java.util.Arrays;

/**
 * The Java twin of {@code attention_partial} and {@code attention_combine}: the same plan, the
 * same per-block online softmax in float, over float pools laid out as the device's
 * {@code (blocks, kv_heads, block, head_dim)}.
 */
public final class PagedAttentionTwin {

    private PagedAttentionTwin() {
    }

    public static float[] run(AttentionPlan plan, AttentionPlan.Geometry g, float[] q, float[] kPool, float[] vPool, int headDim) {
        int heads = g.heads();
        int group = heads / g.kvHeads();
        int block = g.blockPositions();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] partialO = new float[plan.partialCount * heads * headDim];
        float[] partialMl = new float[plan.partialCount * heads * 2];
        Arrays.fill(partialO, Float.NaN);
        Arrays.fill(partialMl, Float.NaN);
        for (int w = 0; w < plan.workItems(); w++) {
            int o = plan.work[2 * w] * AttentionPlan.SEGMENT_INTS;
            int split = plan.work[2 * w + 1];
            int tableStart = plan.segments[o], first = plan.segments[o + 1], positions = plan.segments[o + 2];
            int queryStart = plan.segments[o + 3], rows = plan.segments[o + 4], partialStart = plan.segments[o + 5];
            int perSplit = plan.segments[o + 6];
            for (int kvHead = 0; kvHead < g.kvHeads(); kvHead++) {
                for (int j = 0; j < rows * group; j++) {
                    int row = plan.queryRows[queryStart + j / group];
                    int head = kvHead * group + j % group;
                    int last = plan.lastPositions[row];
                    float m = Float.NEGATIVE_INFINITY;
                    float l = 0;
                    float[] acc = new float[headDim];
                    int from = first + split * perSplit;
                    int to = Math.min(first + positions, from + perSplit);
                    for (int start = from; start < to; start += block) {
                        int id = plan.blockTables[tableStart + (start - first) / block];
                        int n = Math.min(block, to - start);
                        float[] s = new float[n];
                        float blockMax = Float.NEGATIVE_INFINITY;
                        for (int p = 0; p < n; p++) {
                            s[p] = Float.NEGATIVE_INFINITY;
                            if (start + p <= last) {
                                float dot = 0;
                                for (int d = 0; d < headDim; d++) {
                                    dot += q[(row * heads + head) * headDim + d] * scale
                                            * kPool[((id * g.kvHeads() + kvHead) * block + p) * headDim + d];
                                }
                                s[p] = dot;
                            }
                            blockMax = Math.max(blockMax, s[p]);
                        }
                        if (blockMax == Float.NEGATIVE_INFINITY) {
                            continue;
                        }
                        float mNew = Math.max(m, blockMax);
                        float correction = m == Float.NEGATIVE_INFINITY ? 0 : (float) Math.exp(m - mNew);
                        float sum = 0;
                        for (int p = 0; p < n; p++) {
                            s[p] = s[p] == Float.NEGATIVE_INFINITY ? 0 : (float) Math.exp(s[p] - mNew);
                            sum += s[p];
                        }
                        for (int d = 0; d < headDim; d++) {
                            float a = acc[d] * correction;
                            for (int p = 0; p < n; p++) {
                                a += s[p] * vPool[((id * g.kvHeads() + kvHead) * block + p) * headDim + d];
                            }
                            acc[d] = a;
                        }
                        l = l * correction + sum;
                        m = mNew;
                    }
                    int partial = partialStart + split * rows + j / group;
                    System.arraycopy(acc, 0, partialO, (partial * heads + head) * headDim, headDim);
                    partialMl[(partial * heads + head) * 2] = m;
                    partialMl[(partial * heads + head) * 2 + 1] = l;
                }
            }
        }
        int outRows = plan.rowPartials.length - 1;
        float[] out = new float[outRows * heads * headDim];
        for (int row = 0; row < outRows; row++) {
            for (int head = 0; head < heads; head++) {
                float m = Float.NEGATIVE_INFINITY;
                for (int i = plan.rowPartials[row]; i < plan.rowPartials[row + 1]; i++) {
                    m = Math.max(m, partialMl[(plan.partials[i] * heads + head) * 2]);
                }
                float l = 0;
                float[] o = new float[headDim];
                for (int i = plan.rowPartials[row]; i < plan.rowPartials[row + 1]; i++) {
                    int p = plan.partials[i] * heads + head;
                    float mi = partialMl[p * 2];
                    if (mi != Float.NEGATIVE_INFINITY) {
                        float f = (float) Math.exp(mi - m);
                        l += partialMl[p * 2 + 1] * f;
                        for (int d = 0; d < headDim; d++) {
                            o[d] += partialO[p * headDim + d] * f;
                        }
                    }
                }
                for (int d = 0; d < headDim; d++) {
                    out[(row * heads + head) * headDim + d] = o[d] / l;
                }
            }
        }
        return out;
    }
}
