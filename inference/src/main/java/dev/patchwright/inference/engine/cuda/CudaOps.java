package dev.patchwright.inference.engine.cuda;

import dev.patchwright.inference.engine.paged.AttentionPlan;
import jcuda.driver.CUstream;

/**
 * The GPU kernels as typed calls over device buffers: each queues one kernel (or two) on the
 * default stream (or the stream of an {@link #on} view) and returns; {@link CudaDevice#synchronize()} waits. Shapes as in
 * {@link dev.patchwright.inference.engine.Kernels}, whose CPU implementation is every call's twin.
 * Activations are float, weights and KV pools bf16 ({@code unsigned short} bits).
 */
public final class CudaOps {

    /** Threads per block of the row-wise kernels. */
    private static final int ROW_THREADS = 256;
    /** Threads per block of the attention kernels: 8 warps share one block's keys and values. */
    private static final int ATTENTION_THREADS = 256;
    /** Tokens up to which products run on the mat-vec kernel; more go to the tensor cores. */
    public static final int MATVEC_MAX_TOKENS = 16;

    private final CudaDevice device;
    private final Functions f;
    private final CUstream stream;

    /** The kernels of one device's loaded modules, shared by every stream's view. */
    private static final class Functions {
        private final CudaFunction embedding;
        private final CudaFunction rmsnorm;
        private final CudaFunction rope;
        private final CudaFunction add;
        private final CudaFunction addBias;
        private final CudaFunction siluMul;
        private final CudaFunction[] matvec; // for up to 1, 4, 8, 16 tokens
        private final CudaFunction matvecMma;
        private final CudaFunction matmul;
        private final CudaFunction kvWrite;
        private final CudaFunction kvCopy;
        private final CudaFunction attentionPartial;
        private final CudaFunction attentionCombine;
        private final CudaFunction argmax;
        private final CudaFunction sampleTopP;
        private final CudaFunction randomBf16;
        private final CudaFunction randomF32;

        Functions(CudaDevice device) {
            embedding = device.module("embedding").function("embedding_bf16");
            rmsnorm = device.module("rmsnorm").function("rmsnorm_f32");
            rope = device.module("rope").function("rope_f32");
            add = device.module("residual").function("add_f32");
            addBias = device.module("residual").function("add_bias_f32");
            siluMul = device.module("swiglu").function("silu_mul_f32");
            CudaModule mv = device.module("matvec");
            matvec = new CudaFunction[] {mv.function("matvec_bf16_1"), mv.function("matvec_bf16_4"), mv.function("matvec_bf16_8"),
                    mv.function("matvec_bf16_16")};
            matvecMma = mv.function("matvec_bf16_mma16");
            matmul = device.module("matmul").function("matmul_bf16_wmma");
            kvWrite = device.module("kv_cache").function("kv_write_bf16");
            kvCopy = device.module("kv_cache").function("kv_copy_blocks");
            attentionPartial = device.module("attention").function("attention_partial");
            attentionCombine = device.module("attention").function("attention_combine");
            argmax = device.module("sampling").function("argmax_f32");
            sampleTopP = device.module("sampling").function("sample_top_p_f32");
            randomBf16 = device.module("random").function("fill_random_bf16");
            randomF32 = device.module("random").function("fill_random_f32");
        }
    }

    public CudaOps(CudaDevice device) {
        this(device, new Functions(device), null);
    }

    private CudaOps(CudaDevice device, Functions f, CUstream stream) {
        this.device = device;
        this.f = f;
        this.stream = stream;
    }

    /** The same kernels, queued on {@code stream} ({@code null}: the default stream) instead. */
    public CudaOps on(CUstream stream) {
        return new CudaOps(device, f, stream);
    }

    public CudaDevice device() {
        return device;
    }

    /** out (rows, dim) = the bf16 table's rows {@code tokens[0 .. rows)}, as floats. */
    public void embedding(DeviceBuffer tokens, DeviceBuffer table, DeviceBuffer out, int rows, int dim) {
        f.embedding.launch(stream, Launch.perRow(rows, ROW_THREADS), tokens, table, out, dim);
    }

    /** Each of {@code rows} rows of {@code n}: {@code out = x / sqrt(mean(x²) + eps) * weight}; out may be x. */
    public void rmsnorm(DeviceBuffer x, DeviceBuffer weight, DeviceBuffer out, int rows, int n, float eps) {
        f.rmsnorm.launch(stream, Launch.perRow(rows, ROW_THREADS), x, weight, out, n, eps);
    }

    /** RoPE in place on x (rows, heads, head_dim), row r at {@code positions[r]}; inverse frequencies as doubles. */
    public void rope(DeviceBuffer x, DeviceBuffer positions, DeviceBuffer inverseFrequencies, int rows, int heads, int headDim) {
        f.rope.launch(stream, Launch.perRow(rows, ROW_THREADS), x, positions, inverseFrequencies, heads, headDim);
    }

    /** {@code x[0..n) += y[0..n)}. */
    public void add(DeviceBuffer x, DeviceBuffer y, long n) {
        f.add.launch(stream, Launch.stride(n, ROW_THREADS), x, y, n);
    }

    /** x (rows, width) += bias on every row. */
    public void addBias(DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        long n = (long) rows * width;
        f.addBias.launch(stream, Launch.stride(n, ROW_THREADS), x, bias, width, n);
    }

    /** {@code gate[0..n) = silu(gate) * up}. */
    public void siluMul(DeviceBuffer gate, DeviceBuffer up, long n) {
        f.siluMul.launch(stream, Launch.stride(n, ROW_THREADS), gate, up, n);
    }

    /**
     * out (tokens, rows) = x (tokens, cols) · wᵀ, w bf16 (rows, cols): up to 4 tokens on the CUDA
     * cores in float, 5 to 16 on the tensor cores' small-batch kernel (x rounded to bf16; where
     * cols is a multiple of 8), more on the tiled tensor-core kernel.
     */
    public void matmul(DeviceBuffer w, DeviceBuffer x, DeviceBuffer out, int tokens, int rows, int cols) {
        if (tokens <= 4 || (tokens <= MATVEC_MAX_TOKENS && cols % 8 != 0)) {
            cudaCoreMatmul(w, x, out, tokens, rows, cols);
        } else if (tokens <= MATVEC_MAX_TOKENS) {
            smallBatchMatmul(w, x, out, tokens, rows, cols);
        } else {
            tensorCoreMatmul(w, x, out, tokens, rows, cols);
        }
    }

    /** As {@link #matmul} for 1 to 16 tokens, always the CUDA-core mat-vec (float x). */
    public void cudaCoreMatmul(DeviceBuffer w, DeviceBuffer x, DeviceBuffer out, int tokens, int rows, int cols) {
        if (tokens < 1 || tokens > MATVEC_MAX_TOKENS) {
            throw new IllegalArgumentException("the mat-vec kernel takes 1 to " + MATVEC_MAX_TOKENS + " tokens, found " + tokens);
        }
        int variant = tokens == 1 ? 0 : tokens <= 4 ? 1 : tokens <= 8 ? 2 : 3;
        f.matvec[variant].launch(stream, Launch.warpPerRow(rows, 256, 32 * device.multiprocessors()), w, x, out, rows, cols, tokens);
    }

    /** As {@link #matmul} for 1 to 16 tokens, always the tensor cores' small-batch kernel (mma, x rounded to bf16). */
    public void smallBatchMatmul(DeviceBuffer w, DeviceBuffer x, DeviceBuffer out, int tokens, int rows, int cols) {
        if (tokens < 1 || tokens > MATVEC_MAX_TOKENS || cols % 8 != 0) {
            throw new IllegalArgumentException("the small-batch kernel takes 1 to " + MATVEC_MAX_TOKENS
                    + " tokens and a multiple of 8 columns, found " + tokens + " and " + cols);
        }
        f.matvecMma.launch(stream, Launch.perRow((rows + 15) / 16, 256), w, x, out, rows, cols, tokens);
    }

    /** As {@link #matmul}, always on the tensor cores (wmma, bf16 in, float out). */
    public void tensorCoreMatmul(DeviceBuffer w, DeviceBuffer x, DeviceBuffer out, int tokens, int rows, int cols) {
        f.matmul.launch(stream, Launch.grid((rows + 63) / 64, (tokens + 63) / 64, 128, 0), x, w, out, tokens, rows, cols);
    }

    /** Stores new rows' keys and values (rows, kv_heads, head_dim) of one layer at {@code slots}, as bf16. */
    public void kvWrite(DeviceBuffer k, DeviceBuffer v, DeviceBuffer kPool, DeviceBuffer vPool, DeviceBuffer slots, int rows,
            int kvHeads, int headDim, int blockPositions) {
        f.kvWrite.launch(stream, Launch.perRow(rows, ROW_THREADS), k, v, kPool, vPool, slots, kvHeads, headDim, blockPositions);
    }

    /** Copies whole blocks {@code from[i] -> to[i]} of every layer (copy on write). */
    public void kvCopy(DeviceBuffer kPool, DeviceBuffer vPool, DeviceBuffer from, DeviceBuffer to, int pairs, int layers,
            long layerElements, int blockElements) {
        f.kvCopy.launch(stream, Launch.grid(pairs, layers, ROW_THREADS, 0), kPool, vPool, from, to, layerElements, blockElements);
    }

    /** Shared memory one attention block needs for {@code queries} (row, head) queries. */
    public static int attentionSharedBytes(int queries, int headDim, int blockPositions) {
        return Float.BYTES * (queries * (2 * headDim + 3) + blockPositions * (2 * headDim + 1));
    }

    /** The most queries whose attention block fits {@code sharedBytes} of shared memory. */
    public static int attentionQueriesThatFit(int sharedBytes, int headDim, int blockPositions) {
        return Math.max(0, (sharedBytes / Float.BYTES - blockPositions * (2 * headDim + 1)) / (2 * headDim + 3));
    }

    /**
     * Attention of the plan's rows over one layer's pools into out (rows, heads, head_dim). The plan's
     * arrays must already be on the device in {@code planBuffers}.
     */
    public void attention(PlanBuffers plan, DeviceBuffer q, DeviceBuffer kPool, DeviceBuffer vPool, DeviceBuffer out,
            int heads, int kvHeads, int headDim, int blockPositions) {
        attention(plan, q, kPool, vPool, out, heads, kvHeads, headDim, blockPositions, plan.workItems(), plan.maxQueries());
    }

    /**
     * As {@link #attention(PlanBuffers, DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer, int, int, int, int)}
     * with a grid of {@code workBlocks} blocks along x (those past the plan's work items return at once) and
     * shared memory for {@code queries} queries: the fixed launch a CUDA graph holds for any plan within both.
     *
     * @throws IllegalArgumentException when the loaded plan needs more blocks or queries than that
     */
    public void attention(PlanBuffers plan, DeviceBuffer q, DeviceBuffer kPool, DeviceBuffer vPool, DeviceBuffer out,
            int heads, int kvHeads, int headDim, int blockPositions, int workBlocks, int queries) {
        if (plan.workItems() > workBlocks || plan.maxQueries() > queries) {
            throw new IllegalArgumentException("the attention plan needs " + plan.workItems() + " work blocks and " + plan.maxQueries()
                    + " queries a block; the launch has " + workBlocks + " and " + queries);
        }
        int shared = attentionSharedBytes(queries, headDim, blockPositions);
        float scale = (float) (1.0 / Math.sqrt(headDim));
        f.attentionPartial.launch(stream, Launch.grid(workBlocks, kvHeads, ATTENTION_THREADS, shared), q, kPool, vPool,
                plan.blockTables(), plan.segments(), plan.work(), plan.workCount(), plan.queryRows(), plan.lastPositions(),
                plan.partialO(), plan.partialMl(), heads, kvHeads, headDim, blockPositions, scale);
        f.attentionCombine.launch(stream, Launch.grid(plan.rows(), heads, 128, 0), plan.partialO(), plan.partialMl(),
                plan.rowPartials(), plan.partials(), out, heads, headDim);
    }

    /** Lets the attention kernel take shared memory for {@code queries} queries (outside a graph's capture). */
    public void allowAttentionQueries(int queries, int headDim, int blockPositions) {
        f.attentionPartial.allowDynamicShared(attentionSharedBytes(queries, headDim, blockPositions));
    }

    /** The lowest index of the largest of each row's {@code n} logits into {@code out} (rows) ints. */
    public void argmax(DeviceBuffer logits, int rows, int n, DeviceBuffer out) {
        f.argmax.launch(stream, Launch.perRow(rows, 1024), logits, n, out);
    }

    /** One token per row from top-p at a temperature; params (rows, 3): temperature, top_p, u in [0, 1). */
    public void sampleTopP(DeviceBuffer logits, int rows, int n, DeviceBuffer params, DeviceBuffer out) {
        f.sampleTopP.launch(stream, Launch.perRow(rows, 1024), logits, n, params, out);
    }

    /** {@code n} bf16 values uniform in [-scale, scale), the same for a seed on any device. */
    public void randomBf16(DeviceBuffer out, long n, long seed, float scale) {
        f.randomBf16.launch(stream, Launch.stride(n, ROW_THREADS), out, n, seed, scale);
    }

    /** {@code n} floats uniform in [offset - scale, offset + scale). */
    public void randomF32(DeviceBuffer out, long n, long seed, float scale, float offset) {
        f.randomF32.launch(stream, Launch.stride(n, ROW_THREADS), out, n, seed, scale, offset);
    }

    /**
     * An {@link AttentionPlan}'s arrays on the device (uploaded in one copy), and scratch for its
     * partials; kept between calls and grown when a plan needs more, so that a decode step
     * allocates nothing. Each array has a section of its own at a fixed place, of a capacity kept
     * until a plan needs more, so that kernels captured in a CUDA graph find the next plan where
     * they found the last: {@link #version()} changes whenever a section or buffer moves. Load a
     * plan only when the device is done with the previous one.
     */
    public static final class PlanBuffers implements AutoCloseable {

        private static final int SECTIONS = 7; // segments, work, queryRows, lastPositions, blockTables, rowPartials, partials

        private final CudaDevice device;
        private final int heads;
        private final int headDim;
        private final int[] capacity = new int[SECTIONS]; // ints per section
        private final long[] offset = new long[SECTIONS]; // bytes, after the work count
        private DeviceBuffer ints; // work count, then the sections
        private DeviceBuffer partialO;
        private DeviceBuffer partialMl;
        private final DeviceBuffer[] views = new DeviceBuffer[SECTIONS];
        private DeviceBuffer workCount;
        private int[] packed = new int[1];
        private int rows;
        private int workItems;
        private int maxQueries;
        private int version;

        /** Empty buffers for a model of {@code heads} heads of {@code headDim}. */
        public PlanBuffers(CudaDevice device, int heads, int headDim) {
            this.device = device;
            this.heads = heads;
            this.headDim = headDim;
        }

        /** New buffers holding {@code plan}. */
        public static PlanBuffers upload(CudaDevice device, AttentionPlan plan, int heads, int headDim) {
            return new PlanBuffers(device, heads, headDim).load(plan);
        }

        /** Puts {@code plan} on the device, growing (and moving) the sections when it needs more. */
        public PlanBuffers load(AttentionPlan plan) {
            int[][] arrays = {plan.segments, plan.work, plan.queryRows, plan.lastPositions, plan.blockTables, plan.rowPartials,
                    plan.partials};
            boolean moved = ints == null;
            for (int i = 0; i < SECTIONS; i++) {
                if (arrays[i].length > capacity[i]) {
                    capacity[i] = Math.max(16, arrays[i].length + arrays[i].length / 2);
                    moved = true;
                }
            }
            if (moved) {
                long at = Integer.BYTES; // the work count first
                for (int i = 0; i < SECTIONS; i++) {
                    offset[i] = at;
                    at += (long) capacity[i] * Integer.BYTES;
                }
                packed = new int[(int) (at / Integer.BYTES)];
                ints = fit(ints, at);
                workCount = ints.view(0, Integer.BYTES);
                for (int i = 0; i < SECTIONS; i++) {
                    views[i] = ints.view(offset[i], (long) capacity[i] * Integer.BYTES);
                }
                version++;
            }
            packed[0] = plan.workItems();
            for (int i = 0; i < SECTIONS; i++) {
                System.arraycopy(arrays[i], 0, packed, (int) (offset[i] / Integer.BYTES), arrays[i].length);
            }
            ints.put(packed);
            partialO = fit(partialO, (long) plan.partialCount * heads * headDim * Float.BYTES);
            partialMl = fit(partialMl, (long) plan.partialCount * heads * 2 * Float.BYTES);
            rows = plan.rowPartials.length - 1;
            workItems = plan.workItems();
            maxQueries = plan.maxSegmentQueries;
            return this;
        }

        private DeviceBuffer fit(DeviceBuffer buffer, long bytes) {
            if (buffer != null && buffer.bytes() >= bytes) {
                return buffer;
            }
            if (buffer != null) {
                buffer.close();
            }
            version++;
            return device.allocate(Math.max(4096, bytes + bytes / 2));
        }

        /** Changes whenever a section or buffer moves: a graph captured before reads the wrong memory. */
        public int version() {
            return version;
        }

        /** The most work items the work section holds without moving. */
        public int workCapacity() {
            return capacity[1] / 2;
        }

        /** One int on the device: the plan's work items. */
        public DeviceBuffer workCount() {
            return workCount;
        }

        public DeviceBuffer segments() {
            return views[0];
        }

        public DeviceBuffer work() {
            return views[1];
        }

        public DeviceBuffer queryRows() {
            return views[2];
        }

        public DeviceBuffer lastPositions() {
            return views[3];
        }

        public DeviceBuffer blockTables() {
            return views[4];
        }

        public DeviceBuffer rowPartials() {
            return views[5];
        }

        public DeviceBuffer partials() {
            return views[6];
        }

        public DeviceBuffer partialO() {
            return partialO;
        }

        public DeviceBuffer partialMl() {
            return partialMl;
        }

        /** Output rows of the plan loaded. */
        public int rows() {
            return rows;
        }

        /** Blocks along x. */
        public int workItems() {
            return workItems;
        }

        /** The most queries of one segment. */
        public int maxQueries() {
            return maxQueries;
        }

        @Override
        public void close() {
            for (DeviceBuffer b : new DeviceBuffer[] {ints, partialO, partialMl}) {
                if (b != null) {
                    b.close();
                }
            }
            ints = null;
            partialO = null;
            partialMl = null;
        }
    }
}
