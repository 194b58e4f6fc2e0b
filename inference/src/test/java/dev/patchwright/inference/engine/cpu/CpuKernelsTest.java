package dev.patchwright.inference.engine.cpu;

import dev.patchwright.inference.engine.WeightMatrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CpuKernelsTest {

    @Test
    void matmulIsTheSameOnOneThreadOrManyAndMatchesTheDefinition() {
        SplittableRandom random = new SplittableRandom(3);
        int rows = 37;
        int cols = 29;
        int tokens = 5;
        float[] w = new float[rows * cols];
        float[] x = new float[tokens * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        WeightMatrix matrix = WeightMatrix.of("w", w, rows, cols);
        float[] one = new float[tokens * rows];
        float[] many = new float[tokens * rows];
        try (CpuKernels single = new CpuKernels(1); CpuKernels parallel = new CpuKernels(4)) {
            single.matmul(matrix, x, tokens, one);
            parallel.matmul(matrix, x, tokens, many);
        }
        assertThat(many).containsExactly(one);
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                double expected = 0;
                for (int i = 0; i < cols; i++) {
                    expected += (double) w[r * cols + i] * x[t * cols + i];
                }
                assertThat((double) one[t * rows + r]).isCloseTo(expected, within(1e-4));
            }
        }
    }

    @Test
    void aTokenGetsTheSameResultAloneOrInALargeBatch() {
        SplittableRandom random = new SplittableRandom(4);
        int rows = 20;
        int cols = 35;
        int tokens = 9; // enough for the tiled path; one token takes the fused path
        float[] w = new float[rows * cols];
        float[] x = new float[tokens * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        WeightMatrix matrix = WeightMatrix.of("w", w, rows, cols);
        float[] batch = new float[tokens * rows];
        float[] alone = new float[rows];
        try (CpuKernels kernels = new CpuKernels(2)) {
            kernels.matmul(matrix, x, tokens, batch);
            kernels.matmul(matrix, java.util.Arrays.copyOfRange(x, 8 * cols, 9 * cols), 1, alone);
        }
        assertThat(java.util.Arrays.copyOfRange(batch, 8 * rows, 9 * rows)).containsExactly(alone);
    }

    @Test
    void ropeRotatesDimensionIWithDimensionIPlusHalf() {
        float[] x = {1, 0, 0, 0, 0, 1, 0, 0}; // one head of 8: pairs (0,4), (1,5), (2,6), (3,7)
        float[] cos = {0, 0, 1, 1};
        float[] sin = {1, 1, 0, 0};
        try (CpuKernels kernels = new CpuKernels(1)) {
            kernels.rope(x, 1, 1, 8, cos, sin);
        }
        // A quarter turn sends (x_i, x_{i+4}) = (1, 0) to (0, 1) and (0, 1) to (-1, 0).
        assertThat(x).containsExactly(0, -1, 0, 0, 1, 0, 0, 0);
    }

    @Test
    void softmaxAndSiluMulFollowTheirDefinitions() {
        float[] x = {9, 1, 2, 3, 9};
        float[] gate = {-1, 0, 2};
        float[] up = {2, 5, 3};
        try (CpuKernels kernels = new CpuKernels(1)) {
            kernels.softmax(x, 1, 3);
            kernels.siluMul(gate, up, 3);
        }
        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat((double) x[1]).isCloseTo(Math.exp(1) / sum, within(1e-6));
        assertThat((double) x[3]).isCloseTo(Math.exp(3) / sum, within(1e-6));
        assertThat(x[0]).isEqualTo(9f);
        assertThat((double) gate[0]).isCloseTo(-1 / (1 + Math.E) * 2, within(1e-6));
        assertThat(gate[1]).isZero();
        assertThat((double) gate[2]).isCloseTo(2 / (1 + Math.exp(-2)) * 3, within(1e-5));
    }
}
