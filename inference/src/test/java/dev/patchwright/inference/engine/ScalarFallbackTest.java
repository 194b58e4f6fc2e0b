package dev.patchwright.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwright.inference.engine.cpu.CpuKernels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM started without the vector module (as worker and bot tests are) runs the scalar kernels. */
class ScalarFallbackTest {

    @TempDir
    Path dir;

    @Test
    void withoutTheVectorModuleTheScalarPathRuns() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                ScalarFallbackTest.class.getName(), dir.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("vectorized=false", "matched the bf16 reference").doesNotContain("incubator");
    }

    /** Multiplies a bf16 matrix on the default kernels and checks it against the scalar ones. */
    public static void main(String[] args) throws Exception {
        int rows = 9;
        int cols = 100;
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i);
        }
        Path file = Path.of(args[0]).resolve("w.safetensors");
        new SafetensorsWriter().add("w", "BF16", new long[] {rows, cols}, values).write(file);
        var tensors = dev.patchwright.inference.engine.safetensors.SafetensorsFile.open(file);
        WeightMatrix w = WeightMatrix.map(tensors, tensors.tensors().get("w"), rows, cols, Long.MAX_VALUE);
        float[] x = new float[cols];
        java.util.Arrays.fill(x, 0.5f);
        float[] out = new float[rows];
        float[] reference = new float[rows];
        try (CpuKernels kernels = new CpuKernels(2); CpuKernels scalar = CpuKernels.scalar(1)) {
            kernels.matmul(w, x, 1, out);
            scalar.matmul(w, x, 1, reference);
            System.out.println("vectorized=" + kernels.vectorized());
        }
        System.out.println(java.util.Arrays.equals(out, reference) ? "matched the bf16 reference" : "differs");
    }
}
