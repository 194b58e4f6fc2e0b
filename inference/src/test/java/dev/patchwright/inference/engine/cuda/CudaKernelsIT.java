package dev.patchwright.inference.engine.cuda;

import dev.patchwright.inference.engine.Sampler;
import dev.patchwright.inference.engine.WeightMatrix;
import dev.patchwright.inference.engine.cpu.CpuKernels;
import dev.patchwright.inference.engine.paged.AttentionPlan;
import dev.patchwright.inference.engine.paged.KvBlockPool;
import dev.patchwright.inference.engine.paged.PagedAttentionTwin;
import dev.patchwright.inference.engine.paged.PagedSequence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every GPU kernel against its Java twin on fresh random inputs, outputs poisoned with NaN before
 * each run so that an element the kernel does not write fails. Skips, saying why, without a device.
 */
class CudaKernelsIT {

    private static final int NAN = 0x7fc00000;
    private static CudaDevice device;
    private static CudaOps ops;
    private static CpuKernels cpu;
    private final SplittableRandom random = new SplittableRandom(System.nanoTime());
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    @BeforeEach
    void needDevice() {
        if (device != null) {
            return;
        }
        device = GpuRequirement.device("CudaKernelsIT");
        ops = new CudaOps(device);
        cpu = CpuKernels.scalar(2);
    }

    @AfterAll
    static void close() {
        if (device != null) {
            cpu.close();
            device.close();
        }
    }

    @AfterEach
    void free() {
        buffers.forEach(DeviceBuffer::close);
        buffers.clear();
    }

    @Test
    void embeddingCopiesTheTokensRowsExactly() {
        int vocab = 50, dim = 72;
        short[] table = bf16s(vocab * dim);
        int[] tokens = {3, 0, 49, 3};
        DeviceBuffer out = poisoned(tokens.length * dim);
        ops.embedding(ints(tokens), shorts(table), out, tokens.length, dim);
        float[] got = out.get(new float[tokens.length * dim]);
        for (int r = 0; r < tokens.length; r++) {
            for (int i = 0; i < dim; i++) {
                assertThat(got[r * dim + i]).isEqualTo(Float.intBitsToFloat(table[tokens[r] * dim + i] << 16));
            }
        }
    }

    @Test
    void rmsnormMatchesItsTwin() {
        int rows = 5, n = 200;
        float[] x = floats(rows * n);
        float[] w = floats(n);
        DeviceBuffer out = poisoned(rows * n);
        ops.rmsnorm(floats(x), floats(w), out, rows, n, 1e-6f);
        float[] expected = new float[rows * n];
        cpu.rmsnorm(x, w, rows, 1e-6f, expected);
        assertClose(out.get(new float[rows * n]), expected, 1e-5, "rmsnorm");
    }

    @Test
    void ropeMatchesItsTwinAtLongPositions() {
        int heads = 4, headDim = 64, half = 32;
        int[] positions = {0, 17, 40_000};
        double[] inverse = new double[half];
        for (int i = 0; i < half; i++) {
            inverse[i] = Math.pow(500_000, -2.0 * i / headDim);
        }
        float[] x = floats(positions.length * heads * headDim);
        float[] cos = new float[positions.length * half];
        float[] sin = new float[positions.length * half];
        for (int r = 0; r < positions.length; r++) {
            for (int i = 0; i < half; i++) {
                cos[r * half + i] = (float) Math.cos(positions[r] * inverse[i]);
                sin[r * half + i] = (float) Math.sin(positions[r] * inverse[i]);
            }
        }
        DeviceBuffer dx = floats(x);
        ops.rope(dx, ints(positions), device.allocate(half * 8L).put(inverse), positions.length, heads, headDim);
        cpu.rope(x, positions.length, heads, headDim, cos, sin);
        assertClose(dx.get(new float[x.length]), x, 1e-5, "rope");
    }

    @Test
    void elementwiseKernelsMatchTheirTwins() {
        int rows = 3, width = 1000, n = rows * width;
        float[] x = floats(n), y = floats(n), bias = floats(width);
        DeviceBuffer dx = floats(x);
        ops.add(dx, floats(y), n);
        ops.addBias(dx, floats(bias), rows, width);
        cpu.add(x, y, n);
        cpu.addBias(x, bias, rows);
        assertClose(dx.get(new float[n]), x, 1e-6, "add + addBias");
        float[] gate = floats(n), up = floats(n);
        DeviceBuffer dg = floats(gate);
        ops.siluMul(dg, floats(up), n);
        cpu.siluMul(gate, up, n);
        assertClose(dg.get(new float[n]), gate, 1e-5, "siluMul");
    }

    private enum Product { CUDA_CORES, SMALL_BATCH, TILED }

    @Test
    void decodeProductsMatchTheirTwinForOneToSixteenTokens() {
        for (int cols : new int[] {264, 100}) { // 16-byte loads, and the scalar path
            for (int tokens : new int[] {1, 3, 8, 16}) {
                product(tokens, 300, cols, Product.CUDA_CORES);
            }
        }
    }

    @Test
    void smallBatchTensorCoreProductsMatchTheirTwin() {
        for (int tokens : new int[] {1, 5, 9, 16}) {
            product(tokens, 300, 264, Product.SMALL_BATCH); // 300 rows: a partial tile of 16; 264: a partial step of 32
            product(tokens, 64, 4096, Product.SMALL_BATCH);
        }
    }

    @Test
    void tensorCoreProductsMatchTheirTwinAtRaggedSizes() {
        product(17, 200, 72, Product.TILED);
        product(130, 70, 100, Product.TILED);
        product(64, 128, 256, Product.TILED);
    }

    private void product(int tokens, int rows, int cols, Product kind) {
        boolean tensorCores = kind != Product.CUDA_CORES;
        short[] w = bf16s(rows * cols);
        float[] x = floats(tokens * cols);
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            wf[i] = Float.intBitsToFloat(w[i] << 16);
        }
        float[] xr = x.clone();
        if (tensorCores) { // the tensor cores take x rounded to bf16
            for (int i = 0; i < xr.length; i++) {
                xr[i] = Float.intBitsToFloat(DeviceModel.bf16(xr[i]) << 16);
            }
        }
        float[] expected = new float[tokens * rows];
        cpu.matmul(WeightMatrix.of("w", wf, rows, cols), xr, tokens, expected);
        DeviceBuffer out = poisoned(tokens * rows);
        switch (kind) {
            case CUDA_CORES -> ops.cudaCoreMatmul(shorts(w), floats(x), out, tokens, rows, cols);
            case SMALL_BATCH -> ops.smallBatchMatmul(shorts(w), floats(x), out, tokens, rows, cols);
            case TILED -> ops.tensorCoreMatmul(shorts(w), floats(x), out, tokens, rows, cols);
        }
        assertClose(out.get(new float[tokens * rows]), expected, 1e-5, kind + " " + tokens + "x" + rows + "x" + cols);
    }

    @Test
    void kvWritesRoundToBf16AndCopyOnWriteCopiesEveryLayer() {
        int blocks = 6, kvHeads = 2, headDim = 8, block = 4, layers = 2;
        int blockElements = kvHeads * block * headDim;
        long layerElements = (long) blocks * blockElements;
        DeviceBuffer kPool = device.allocate(layers * layerElements * 2).fill(0);
        DeviceBuffer vPool = device.allocate(layers * layerElements * 2).fill(0);
        float[] k = floats(3 * kvHeads * headDim), v = floats(3 * kvHeads * headDim);
        int[] slots = {5, 6, 13};
        ops.kvWrite(floats(k), floats(v), kPool.view(layerElements * 2, layerElements * 2),
                vPool.view(layerElements * 2, layerElements * 2), ints(slots), 3, kvHeads, headDim, block);
        ops.kvCopy(kPool, vPool, ints(new int[] {1}), ints(new int[] {4}), 1, layers, layerElements, blockElements);
        short[] keys = kPool.get(new short[(int) (layers * layerElements)]);
        for (int r = 0; r < 3; r++) {
            for (int h = 0; h < kvHeads; h++) {
                for (int d = 0; d < headDim; d++) {
                    int at = (int) layerElements + ((slots[r] / block * kvHeads + h) * block + slots[r] % block) * headDim + d;
                    assertThat(keys[at]).isEqualTo(DeviceModel.bf16(k[(r * kvHeads + h) * headDim + d]));
                    if (slots[r] / block == 1) {
                        assertThat(keys[at + 3 * blockElements]).as("block 1 copied to block 4").isEqualTo(keys[at]);
                    }
                }
            }
        }
    }

    @Test
    void pagedAttentionMatchesItsTwinForSharedPrefixDecodeAndPromptChunks() {
        int heads = 8, kvHeads = 2, headDim = 64, block = 16;
        AttentionPlan.Geometry g = new AttentionPlan.Geometry(heads, kvHeads, block, 64, 64, 32);
        KvBlockPool pool = new KvBlockPool(128, block);
        short[] kb = bf16s(128 * kvHeads * block * headDim), vb = bf16s(kb.length);
        float[] kf = new float[kb.length], vf = new float[vb.length];
        for (int i = 0; i < kb.length; i++) {
            kf[i] = Float.intBitsToFloat(kb[i] << 16);
            vf[i] = Float.intBitsToFloat(vb[i] << 16);
        }
        DeviceBuffer kPool = shorts(kb), vPool = shorts(vb);
        PagedSequence prompt = new PagedSequence(pool);
        prompt.append(300);
        AttentionPlan promptPlan = AttentionPlan.prompt(prompt.blockTable(), 100, 200, g);
        attention(promptPlan, g, 200, headDim, kPool, vPool, kf, vf, "prompt chunk");
        List<PagedSequence> samples = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            PagedSequence s = prompt.fork();
            s.append(1 + i % 3); // copies of block 18 get the pool's random contents, as the twin sees them
            samples.add(s);
        }
        int[][] tables = samples.stream().map(PagedSequence::blockTable).toArray(int[][]::new);
        int[] lengths = samples.stream().mapToInt(PagedSequence::length).toArray();
        attention(AttentionPlan.decode(tables, lengths, g), g, 16, headDim, kPool, vPool, kf, vf, "decode of 16 forks");
    }

    private void attention(AttentionPlan plan, AttentionPlan.Geometry g, int rows, int headDim, DeviceBuffer kPool,
            DeviceBuffer vPool, float[] kf, float[] vf, String what) {
        float[] q = floats(rows * g.heads() * headDim);
        DeviceBuffer out = poisoned(q.length);
        try (CudaOps.PlanBuffers buffers = CudaOps.PlanBuffers.upload(device, plan, g.heads(), headDim)) {
            ops.attention(buffers, floats(q), kPool, vPool, out, g.heads(), g.kvHeads(), headDim, g.blockPositions());
            device.synchronize();
            assertClose(out.get(new float[q.length]), PagedAttentionTwin.run(plan, g, q, kf, vf, headDim), 1e-4, what);
        }
    }

    @Test
    void argmaxFindsTheLowestIndexOfTheLargestLogit() {
        int n = 152_064;
        float[] logits = floats(3 * n);
        logits[n + 7] = 50f;
        logits[n + 9000] = 50f;
        DeviceBuffer out = ints(new int[] {-1, -1, -1});
        ops.argmax(floats(logits), 3, n, out);
        int[] got = out.get(new int[3]);
        for (int r = 0; r < 3; r++) {
            assertThat(got[r]).as("row " + r).isEqualTo(Sampler.argmax(java.util.Arrays.copyOfRange(logits, r * n, (r + 1) * n)));
        }
    }

    @Test
    void topPDrawsTheTokenItsTwinPutsAtTheRandomNumber() {
        int n = 152_064, rows = 8;
        float[] logits = new float[rows * n];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        float[] params = new float[rows * 3];
        for (int r = 0; r < rows; r++) {
            params[3 * r] = r == 0 ? 0f : 0.7f;
            params[3 * r + 1] = r == 1 ? 1f : 0.9f;
            params[3 * r + 2] = (float) random.nextDouble();
        }
        DeviceBuffer out = ints(new int[rows]);
        ops.sampleTopP(floats(logits), rows, n, floats(params), out);
        int[] got = out.get(new int[rows]);
        for (int r = 0; r < rows; r++) {
            float[] row = java.util.Arrays.copyOfRange(logits, r * n, (r + 1) * n);
            DeviceSamplingTwin.assertPlausible(row, params[3 * r], params[3 * r + 1], params[3 * r + 2], got[r]);
        }
    }

    private void assertClose(float[] got, float[] expected, double tolerance, String what) {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.isNaN(got[i])).as(what + ": element " + i + " was not written (still NaN)").isFalse();
            diff += (got[i] - expected[i]) * (double) (got[i] - expected[i]);
            norm += expected[i] * (double) expected[i];
        }
        assertThat(Math.sqrt(diff / Math.max(norm, 1e-30))).as(what + ": relative error").isLessThan(tolerance);
    }

    private float[] floats(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private short[] bf16s(int n) {
        short[] x = new short[n];
        for (int i = 0; i < n; i++) {
            x[i] = DeviceModel.bf16((float) random.nextGaussian() * 0.5f);
        }
        return x;
    }

    private DeviceBuffer floats(float[] x) {
        return keep(device.allocate(Math.max(1, x.length) * 4L).put(x));
    }

    private DeviceBuffer ints(int[] x) {
        return keep(device.allocate(Math.max(1, x.length) * 4L).put(x));
    }

    private DeviceBuffer shorts(short[] x) {
        return keep(device.allocate(Math.max(1, x.length) * 2L).put(x));
    }

    private DeviceBuffer poisoned(int floats) {
        return keep(device.allocate(floats * 4L).fill(NAN));
    }

    private DeviceBuffer keep(DeviceBuffer b) {
        buffers.add(b);
        return b;
    }
}
