package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cpu.CpuKernels;
import dev.patchwright.inference.engine.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vector API's bf16 decode products against the scalar reference, on random matrices whose
 * widths have whole vector blocks, tails and odd lengths. Both sum the same float products in a
 * different order, so they may differ by rounding: at most {@value #RELATIVE} of
 * {@code Σ|wᵢ·xᵢ|} (the size of the terms, since a sum that cancels has no relative precision);
 * float rounding over 4,864 terms stays below about 3e-6 of it in practice.
 */
class VectorMatmulTest {

    private static final double RELATIVE = 2e-5;

    @TempDir
    Path dir;

    @Test
    void vectorAndScalarProductsAgreeWithinFloatRounding() throws Exception {
        SplittableRandom random = new SplittableRandom(21);
        int[][] shapes = {{7, 896}, {5, 4864}, {33, 64}, {9, 65}, {3, 31}, {4, 1}, {6, 130}};
        try (CpuKernels vector = new CpuKernels(2); CpuKernels scalar = CpuKernels.scalar(2)) {
            // The test JVM runs with --add-modules jdk.incubator.vector (inference/pom.xml): without
            // it this test would compare the scalar path with itself.
            assertThat(vector.vectorized()).as("vector API in the test JVM").isTrue();
            assertThat(scalar.vectorized()).isFalse();
            for (int[] shape : shapes) {
                int rows = shape[0];
                int cols = shape[1];
                float[] values = new float[rows * cols];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * 0.05);
                }
                Path file = dir.resolve("w" + rows + "x" + cols + ".safetensors");
                new SafetensorsWriter().add("w", "BF16", new long[] {rows, cols}, values).write(file);
                SafetensorsFile tensors = SafetensorsFile.open(file);
                WeightMatrix w = WeightMatrix.map(tensors, tensors.tensors().get("w"), rows, cols, Long.MAX_VALUE);
                float[] decoded = w.toFloats();
                for (int tokens = 1; tokens <= 7; tokens += 3) {
                    float[] x = new float[tokens * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (random.nextGaussian() * 3);
                    }
                    float[] fast = poisoned(tokens * rows);
                    float[] reference = poisoned(tokens * rows);
                    vector.matmul(w, x, tokens, fast);
                    scalar.matmul(w, x, tokens, reference);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < rows; r++) {
                            double magnitude = 0;
                            for (int i = 0; i < cols; i++) {
                                magnitude += Math.abs((double) decoded[r * cols + i] * x[t * cols + i]);
                            }
                            int o = t * rows + r;
                            assertThat((double) Math.abs(fast[o] - reference[o]))
                                    .as("%dx%d, %d tokens, token %d row %d: %s against %s", rows, cols, tokens, t, r,
                                            fast[o], reference[o])
                                    .isLessThanOrEqualTo(RELATIVE * magnitude);
                        }
                    }
                }
            }
        }
    }

    @Test
    void onTheVectorPathATokenGetsTheSameResultAloneOrInALargeBatch() throws Exception {
        SplittableRandom random = new SplittableRandom(22);
        int rows = 70;
        int cols = 200;
        int tokens = 40; // more than a block of tokens
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * 0.05);
        }
        Path file = dir.resolve("batch.safetensors");
        new SafetensorsWriter().add("w", "BF16", new long[] {rows, cols}, values).write(file);
        SafetensorsFile tensors = SafetensorsFile.open(file);
        WeightMatrix w = WeightMatrix.map(tensors, tensors.tensors().get("w"), rows, cols, Long.MAX_VALUE);
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (CpuKernels kernels = new CpuKernels(2)) {
            float[] batch = poisoned(tokens * rows);
            kernels.matmul(w, x, tokens, batch);
            for (int t : new int[] {0, 17, 39}) {
                float[] alone = poisoned(rows);
                kernels.matmul(w, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone);
                assertThat(Arrays.copyOfRange(batch, t * rows, (t + 1) * rows)).as("token %d", t).containsExactly(alone);
            }
        }
    }

    /** NaN everywhere, so an element the kernel forgot to write fails the comparison. */
    private static float[] poisoned(int n) {
        float[] out = new float[n];
        Arrays.fill(out, Float.NaN);
        return out;
    }
}
