package dev.patchwright.inference.engine.cpu;

import dev.patchwright.inference.engine.WeightMatrix;

import java.util.Arrays;

/**
 * One thread's share of a batched matrix multiply: rows of the weight matrix are decoded 64 at a
 * time into a transposed tile, and every token of the batch is multiplied with the tile before
 * the next one is decoded. Each row is summed in exactly the order of {@link CpuKernels#dot}, so a
 * token's result does not depend on the batch it came in.
 */
final class TiledMatmul {

    /**
     * Rows decoded together once a batch has this many tokens; their floats stay in cache while
     * every token's row is multiplied.
     */
    static final int ROW_TILE = 64;

    /** Tokens whose rows of x are multiplied with a tile before moving on: about 100-600 KiB of x. */
    private static final int TOKEN_BLOCK = 32;

    private final WeightMatrix w; // (rows, cols)
    private final float[] x; // (tokens, cols)
    private final int tokens;
    private final float[] out; // (tokens, rows)

    TiledMatmul(WeightMatrix w, float[] x, int tokens, float[] out) {
        this.w = w;
        this.x = x;
        this.tokens = tokens;
        this.out = out;
    }

    /** Multiplies the tiles {@code from} (inclusive) to {@code to} (exclusive) for every token. */
    void run(int from, int to) {
        int rows = w.rows();
        int cols = w.cols();
        float[] row = new float[cols];
        // (cols, ROW_TILE): decoded rows, transposed. One array per column, because C2 (Java 17)
        // vectorizes a loop over two arrays indexed alike, but not one that reads at an offset.
        float[][] tile = new float[cols][ROW_TILE];
        float[][] sums = new float[4][ROW_TILE]; // four partial sums per row, as in dot()
        float[][] pairSums = new float[4][ROW_TILE]; // the same for the second token of a pair
        short[] scratch = new short[cols];
        // Token blocks keep the rows of x in cache while they meet every tile; a tile is decoded
        // again for each block, a small cost next to the block's multiplications.
        for (int t0 = 0; t0 < tokens; t0 += TOKEN_BLOCK) {
            int t1 = Math.min(tokens, t0 + TOKEN_BLOCK);
            for (int tileIndex = from; tileIndex < to; tileIndex++) {
                int r0 = tileIndex * ROW_TILE;
                int n = Math.min(ROW_TILE, rows - r0);
                for (int j = 0; j < n; j++) {
                    w.readRow(r0 + j, row, 0, scratch);
                    for (int i = 0; i < cols; i++) {
                        tile[i][j] = row[i];
                    }
                }
                int t = t0;
                for (; t + 1 < t1; t += 2) {
                    // Two tokens share each load of the tile.
                    tileTimesRows(tile, x, t * cols, (t + 1) * cols, cols, sums, pairSums);
                    store(sums, out, t * rows + r0, n);
                    store(pairSums, out, (t + 1) * rows + r0, n);
                }
                if (t < t1) {
                    tileTimesRow(tile, x, t * cols, cols, sums);
                    store(sums, out, t * rows + r0, n);
                }
            }
        }
    }

    /** Adds a row's four partial sums in the order {@link CpuKernels#dot} does. */
    private static void store(float[][] sums, float[] out, int offset, int n) {
        float[] s0 = sums[0];
        float[] s1 = sums[1];
        float[] s2 = sums[2];
        float[] s3 = sums[3];
        for (int j = 0; j < n; j++) {
            out[offset + j] = (s0[j] + s1[j]) + (s2[j] + s3[j]);
        }
    }

    /**
     * The four partial sums of {@link CpuKernels#dot} for every row of a transposed tile at once: the inner
     * loop runs across rows, without a reduction, so the JIT can use vector instructions, and each
     * row's sums come out in exactly the order {@link CpuKernels#dot} adds them.
     */
    private static void tileTimesRow(float[][] tile, float[] x, int xo, int cols, float[][] sums) {
        for (float[] partial : sums) {
            Arrays.fill(partial, 0f);
        }
        int i = 0;
        for (; i + 3 < cols; i += 4) {
            for (int k = 0; k < 4; k++) {
                float xi = x[xo + i + k];
                float[] column = tile[i + k];
                float[] partial = sums[k];
                for (int j = 0; j < ROW_TILE; j++) {
                    partial[j] += xi * column[j];
                }
            }
        }
        for (; i < cols; i++) {
            float xi = x[xo + i];
            float[] column = tile[i];
            float[] partial = sums[0];
            for (int j = 0; j < ROW_TILE; j++) {
                partial[j] += xi * column[j];
            }
        }
    }

    /** {@link #tileTimesRow} for two tokens at once, each summed exactly as alone. */
    private static void tileTimesRows(float[][] tile, float[] x, int xa, int xb, int cols, float[][] sa,
                                      float[][] sb) {
        for (int k = 0; k < 4; k++) {
            Arrays.fill(sa[k], 0f);
            Arrays.fill(sb[k], 0f);
        }
        int i = 0;
        for (; i + 3 < cols; i += 4) {
            for (int k = 0; k < 4; k++) {
                float a = x[xa + i + k];
                float b = x[xb + i + k];
                float[] column = tile[i + k];
                float[] pa = sa[k];
                float[] pb = sb[k];
                for (int j = 0; j < ROW_TILE; j++) {
                    float v = column[j];
                    pa[j] += a * v;
                    pb[j] += b * v;
                }
            }
        }
        for (; i < cols; i++) {
            float a = x[xa + i];
            float b = x[xb + i];
            float[] column = tile[i];
            float[] pa = sa[0];
            float[] pb = sb[0];
            for (int j = 0; j < ROW_TILE; j++) {
                float v = column[j];
                pa[j] += a * v;
                pb[j] += b * v;
            }
        }
    }
}
