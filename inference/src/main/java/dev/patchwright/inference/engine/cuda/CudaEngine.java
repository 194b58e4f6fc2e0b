package dev.patchwright.inference.engine.cuda;

import dev.patchwright.inference.engine.ModelConfig;
import dev.patchwright.inference.engine.paged.AttentionPlan;
import dev.patchwright.inference.engine.paged.KvBlockPool;
import dev.patchwright.inference.engine.paged.PagedSequence;
import dev.patchwright.inference.engine.paged.PrefixBlockCache;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;

/**
 * The forward pass of {@link dev.patchwright.inference.engine.Transformer} on a CUDA device, step
 * for step the same (embedding; per layer RMSNorm, q/k/v with biases or q/k norms, RoPE,
 * attention, output projection, residual, RMSNorm, SwiGLU MLP, residual; final norm and head),
 * with activations in device memory and keys and values in a paged bf16 pool that forks of a
 * prompt share. The full blocks of processed prompts stay in the pool, in a {@link PrefixBlockCache},
 * until it needs their room: {@link #prefillPrompt} reuses those a new prompt starts with.
 *
 * <p>With {@link #useGraphs} on, a decode step of n rows replays a CUDA graph of its kernels
 * captured at the first step of n rows, instead of launching some 550 kernels one by one: the
 * step's tokens, positions, KV slots and attention plan are uploaded first to the places the
 * graph's kernels read them from, and the attention launch has as many blocks as the plan's work
 * section holds (those past the step's work items return at once). A graph is captured again when
 * the plan's buffers move (a plan outgrew them). Calls from one thread at a time.
 */
public final class CudaEngine implements AutoCloseable {

    /** Positions per KV block. */
    public static final int BLOCK_POSITIONS = 16;
    /** The most queries one attention block of a prompt chunk takes, shared memory allowing. */
    public static final int MAX_PROMPT_QUERIES = 256;
    /** The most rows a decode step takes (and logits rows kept). */
    public static final int MAX_DECODE_ROWS = 256;
    /** Queries one attention block holds: 16 samples of a 4-query group share one read of the prompt. */
    public static final int MAX_SEGMENT_QUERIES = 64;

    private final CudaOps ops;
    private final DeviceModel m;
    private final ModelConfig c;
    private final int maxRows;
    private final KvBlockPool pool;
    private final PrefixBlockCache prefixCache;
    private final DeviceBuffer kPool; // (layers, blocks, kv_heads, block, head_dim) bf16
    private final DeviceBuffer vPool;
    private final long layerBytes;
    private final AttentionPlan.Geometry geometry; // decode steps
    private final AttentionPlan.Geometry promptGeometry; // prompt chunks: as many query rows a block as shared memory holds
    private final List<DeviceBuffer> scratch = new ArrayList<>();
    private final DeviceBuffer x; // (rows, dim) the residual stream
    private final DeviceBuffer xb; // (rows, dim)
    private final DeviceBuffer q; // (rows, heads * head_dim)
    private final DeviceBuffer k; // (rows, kv_heads * head_dim)
    private final DeviceBuffer v;
    private final DeviceBuffer attended; // (rows, heads * head_dim)
    private final DeviceBuffer projected; // (rows, dim)
    private final DeviceBuffer gate; // (rows, hidden)
    private final DeviceBuffer up;
    private final DeviceBuffer tokens; // (rows) ints
    private final DeviceBuffer positions; // (rows) ints
    private final DeviceBuffer slots; // (rows) ints
    private final DeviceBuffer logits; // (rows, vocab)
    private final CudaOps.PlanBuffers planBuffers; // the attention plan of the current prompt chunk
    private final CudaOps.PlanBuffers decodePlan; // the attention plan of the current decode step (graphs read it)
    private boolean useGraphs;
    private CUstream graphStream; // made at the first capture
    private CudaOps graphOps;
    private final Map<Integer, CapturedStep> graphs = new HashMap<>(); // by rows
    private int captures;

    /** A decode step's graph, the plan buffers' version it reads, and the most work items and queries its attention takes. */
    private record CapturedStep(CudaGraph graph, int version, int workBlocks, int queries) {
        boolean fits(CudaOps.PlanBuffers plan) {
            return plan.version() == version && plan.workItems() <= workBlocks && plan.maxQueries() <= queries;
        }
    }

    /**
     * @param maxRows the most rows one forward call takes: a prompt chunk or a decode batch
     * @param kvBlocks blocks of {@link #BLOCK_POSITIONS} positions in the KV pool
     */
    public CudaEngine(CudaOps ops, DeviceModel model, int maxRows, int kvBlocks) {
        this.ops = ops;
        this.m = model;
        this.c = model.c;
        this.maxRows = maxRows;
        CudaDevice device = ops.device();
        this.pool = new KvBlockPool(kvBlocks, BLOCK_POSITIONS);
        this.prefixCache = new PrefixBlockCache(pool);
        this.layerBytes = (long) kvBlocks * c.kvDim() * BLOCK_POSITIONS * 2;
        this.kPool = keep(device.allocate(layerBytes * c.layers()));
        this.vPool = keep(device.allocate(layerBytes * c.layers()));
        this.geometry = new AttentionPlan.Geometry(c.heads(), c.kvHeads(), BLOCK_POSITIONS,
                Math.max(MAX_SEGMENT_QUERIES, c.heads() / c.kvHeads()), 4 * device.multiprocessors(), 256);
        int shared = CudaOps.attentionSharedBytes(geometry.maxQueries(), c.headDim(), BLOCK_POSITIONS);
        if (shared > device.sharedMemoryOptIn()) {
            throw new IllegalStateException("attention needs " + shared + " bytes of shared memory per block; " + device.name()
                    + " allows " + device.sharedMemoryOptIn());
        }
        // Every tile of a prompt chunk reads the whole prefix: larger tiles read it fewer times.
        int group = c.heads() / c.kvHeads();
        int fit = Math.min(MAX_PROMPT_QUERIES, CudaOps.attentionQueriesThatFit(device.sharedMemoryOptIn(), c.headDim(), BLOCK_POSITIONS));
        this.promptGeometry = new AttentionPlan.Geometry(c.heads(), c.kvHeads(), BLOCK_POSITIONS,
                Math.max(geometry.maxQueries(), fit / group * group), 4 * device.multiprocessors(), 256);
        x = floats((long) maxRows * c.dim());
        xb = floats((long) maxRows * c.dim());
        q = floats((long) maxRows * c.qDim());
        k = floats((long) maxRows * c.kvDim());
        v = floats((long) maxRows * c.kvDim());
        attended = floats((long) maxRows * c.qDim());
        projected = floats((long) maxRows * c.dim());
        gate = floats((long) maxRows * c.hiddenDim());
        up = floats((long) maxRows * c.hiddenDim());
        tokens = floats(maxRows);
        positions = floats(maxRows);
        slots = floats(maxRows);
        logits = floats((long) Math.min(maxRows, MAX_DECODE_ROWS) * c.vocabSize());
        planBuffers = new CudaOps.PlanBuffers(device, c.heads(), c.headDim());
        decodePlan = new CudaOps.PlanBuffers(device, c.heads(), c.headDim());
    }

    /**
     * Whether decode steps replay CUDA graphs (see the class comment); off unless turned on. Their
     * logits equal those of launching each kernel, bit for bit (CudaGraphIT).
     */
    public CudaEngine useGraphs(boolean on) {
        this.useGraphs = on;
        return this;
    }

    /** Decode-step graphs captured so far, recaptures included. */
    public int graphCaptures() {
        return captures;
    }

    public ModelConfig config() {
        return c;
    }

    public KvBlockPool pool() {
        return pool;
    }

    public CudaOps ops() {
        return ops;
    }

    /** The full blocks of earlier prompts kept in the pool. */
    public PrefixBlockCache prefixCache() {
        return prefixCache;
    }

    /**
     * A prompt processed: the sequence holding its positions (the caller closes it) and how many of
     * its first tokens came from the prefix cache instead of the engine.
     */
    public record Prefilled(PagedSequence sequence, int cachedTokens) {
    }

    /**
     * Processes a whole prompt into a new sequence, reusing the cached blocks it starts with, and
     * leaves the logits after its last token in {@link #logits()} row 0; then caches its full blocks.
     * Chunks of at most {@code chunk} tokens; the tokens after the last full block but one (those a
     * later request over the same prompt processes again) form a chunk of their own, so such a
     * request computes the same logits bit for bit.
     *
     * @throws IllegalArgumentException as {@link #prefill}, or for an empty prompt or chunk below 1
     */
    public Prefilled prefillPrompt(int[] prompt, int chunk) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (chunk < 1 || chunk > maxRows) {
            throw new IllegalArgumentException("prompt chunks must be 1 to " + maxRows + " tokens, found " + chunk);
        }
        PagedSequence sequence = prefixCache.start(prompt);
        try {
            int cached = sequence.length();
            int from = cached;
            for (int to : chunkEnds(cached, prompt.length, chunk)) {
                prefill(java.util.Arrays.copyOfRange(prompt, from, to), sequence);
                from = to;
            }
            prefixCache.register(prompt, sequence);
            return new Prefilled(sequence, cached);
        } catch (RuntimeException e) {
            sequence.close();
            throw e;
        }
    }

    /** A new, empty sequence in this engine's KV pool. */
    public PagedSequence sequence() {
        return new PagedSequence(pool);
    }

    /**
     * Runs a prompt chunk of one sequence and leaves the logits after its last token in
     * {@link #logits()} row 0.
     *
     * @throws IllegalArgumentException for no tokens, more than maxRows, or ids outside the vocabulary
     */
    public void prefill(int[] chunk, PagedSequence sequence) {
        check(chunk);
        int first = sequence.length();
        PagedSequence.Append append = sequence.append(chunk.length);
        int[] at = new int[chunk.length];
        for (int t = 0; t < chunk.length; t++) {
            at[t] = first + t;
        }
        AttentionPlan plan = AttentionPlan.prompt(sequence.blockTable(), first, chunk.length, promptGeometry);
        forward(chunk, at, new PagedSequence.Append[] {append}, plan, true);
    }

    /**
     * One decode step: {@code next[i]} appended to {@code sequences[i]}; logits of row i in {@link #logits()}.
     *
     * @throws IllegalArgumentException as {@link #prefill}, or when the counts differ
     */
    public void decode(int[] next, PagedSequence[] sequences) {
        check(next);
        if (next.length > MAX_DECODE_ROWS) {
            throw new IllegalArgumentException(next.length + " sequences in one decode step; at most " + MAX_DECODE_ROWS);
        }
        if (next.length != sequences.length) {
            throw new IllegalArgumentException(next.length + " tokens for " + sequences.length + " sequences");
        }
        PagedSequence.Append[] appends = new PagedSequence.Append[next.length];
        int[] at = new int[next.length];
        int[][] tables = new int[next.length][];
        int[] lengths = new int[next.length];
        for (int i = 0; i < next.length; i++) {
            at[i] = sequences[i].length();
            appends[i] = sequences[i].append(1);
            tables[i] = sequences[i].blockTable();
            lengths[i] = sequences[i].length();
        }
        forward(next, at, appends, AttentionPlan.decode(tables, lengths, geometry), false);
    }

    /** (rows, vocab) logits of the last call: one row after {@link #prefill}, one per sequence after {@link #decode}. */
    public DeviceBuffer logits() {
        return logits;
    }

    /** The first {@code rows} rows of {@link #logits()}, copied to the host. */
    public float[][] hostLogits(int rows) {
        float[] all = logits.get(new float[rows * c.vocabSize()]);
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = java.util.Arrays.copyOfRange(all, r * c.vocabSize(), (r + 1) * c.vocabSize());
        }
        return out;
    }

    /**
     * Where the chunks of a prompt's tokens {@code [cached, length)} end: at most {@code chunk} each,
     * and a chunk ends after the last full block but one, where a repeat of the prompt resumes
     * (the prefix cache never covers a prompt's last token).
     */
    static int[] chunkEnds(int cached, int length, int chunk) {
        int resume = (length - 1) / BLOCK_POSITIONS * BLOCK_POSITIONS;
        List<Integer> ends = new ArrayList<>();
        for (int from = cached; from < length; ) {
            int to = Math.min(from < resume ? resume : length, from + chunk);
            ends.add(to);
            from = to;
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    private void forward(int[] ids, int[] at, PagedSequence.Append[] appends, AttentionPlan plan, boolean lastOnly) {
        int rows = ids.length;
        copyOnWrite(appends);
        int[] slotIds = new int[rows];
        int r = 0;
        for (PagedSequence.Append a : appends) {
            for (int slot : a.slots()) {
                slotIds[r++] = slot;
            }
        }
        tokens.put(ids);
        positions.put(at);
        slots.put(slotIds);
        if (lastOnly) { // a prompt chunk
            planBuffers.load(plan);
            layers(ops, planBuffers, rows, true, planBuffers.workItems(), planBuffers.maxQueries());
        } else if (useGraphs) {
            decodePlan.load(plan);
            graphStep(rows).graph().launch(graphStream);
        } else {
            decodePlan.load(plan);
            layers(ops, decodePlan, rows, false, decodePlan.workItems(), decodePlan.maxQueries());
        }
        ops.device().synchronize();
    }

    /** The graph of a decode step of {@code rows} rows over the loaded plan, captured now if there is none or the plan moved. */
    private CapturedStep graphStep(int rows) {
        CapturedStep step = graphs.get(rows);
        if (step != null && step.fits(decodePlan)) {
            return step;
        }
        if (step != null) {
            graphs.remove(rows).graph().close();
        }
        if (graphStream == null) {
            CUstream stream = new CUstream();
            CudaCallException.check("cuStreamCreate", cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT));
            graphStream = stream;
            graphOps = ops.on(stream);
        }
        // a decode segment holds at most every row, and at most the geometry's queries
        int queries = Math.max(decodePlan.maxQueries(), Math.min(geometry.maxQueries(), rows * (c.heads() / c.kvHeads())));
        int workBlocks = decodePlan.workCapacity();
        ops.allowAttentionQueries(queries, c.headDim(), BLOCK_POSITIONS); // an attribute, set outside the capture
        CudaGraph graph = CudaGraph.capture(graphStream, () -> layers(graphOps, decodePlan, rows, false, workBlocks, queries));
        captures++;
        step = new CapturedStep(graph, decodePlan.version(), workBlocks, queries);
        graphs.put(rows, step);
        return step;
    }

    /** Every kernel of a forward pass over the uploaded tokens, positions, slots and plan. */
    private void layers(CudaOps o, CudaOps.PlanBuffers plan, int rows, boolean lastOnly, int workBlocks, int queries) {
        int dim = c.dim();
        o.embedding(tokens, m.embed, x, rows, dim);
        for (int l = 0; l < c.layers(); l++) {
            o.rmsnorm(x, m.attnNorm[l], xb, rows, dim, c.normEps());
            o.matmul(m.wq[l], xb, q, rows, c.qDim(), dim);
            o.matmul(m.wk[l], xb, k, rows, c.kvDim(), dim);
            o.matmul(m.wv[l], xb, v, rows, c.kvDim(), dim);
            if (m.bq != null) {
                o.addBias(q, m.bq[l], rows, c.qDim());
                o.addBias(k, m.bk[l], rows, c.kvDim());
                o.addBias(v, m.bv[l], rows, c.kvDim());
            }
            if (m.qNorm != null) {
                o.rmsnorm(q, m.qNorm[l], q, rows * c.heads(), c.headDim(), c.normEps());
                o.rmsnorm(k, m.kNorm[l], k, rows * c.kvHeads(), c.headDim(), c.normEps());
            }
            o.rope(q, positions, m.inverseFrequencies, rows, c.heads(), c.headDim());
            o.rope(k, positions, m.inverseFrequencies, rows, c.kvHeads(), c.headDim());
            DeviceBuffer kLayer = kPool.view(l * layerBytes, layerBytes);
            DeviceBuffer vLayer = vPool.view(l * layerBytes, layerBytes);
            o.kvWrite(k, v, kLayer, vLayer, slots, rows, c.kvHeads(), c.headDim(), BLOCK_POSITIONS);
            o.attention(plan, q, kLayer, vLayer, attended, c.heads(), c.kvHeads(), c.headDim(), BLOCK_POSITIONS, workBlocks, queries);
            o.matmul(m.wo[l], attended, projected, rows, dim, c.qDim());
            o.add(x, projected, (long) rows * dim);
            o.rmsnorm(x, m.ffnNorm[l], xb, rows, dim, c.normEps());
            o.matmul(m.w1[l], xb, gate, rows, c.hiddenDim(), dim);
            o.matmul(m.w3[l], xb, up, rows, c.hiddenDim(), dim);
            o.siluMul(gate, up, (long) rows * c.hiddenDim());
            o.matmul(m.w2[l], gate, projected, rows, dim, c.hiddenDim());
            o.add(x, projected, (long) rows * dim);
        }
        int outRows = lastOnly ? 1 : rows;
        long rowBytes = (long) dim * Float.BYTES;
        DeviceBuffer last = lastOnly ? x.view((rows - 1) * rowBytes, rowBytes) : x;
        o.rmsnorm(last, m.finalNorm, xb, outRows, dim, c.normEps());
        o.matmul(m.output, xb, logits, outRows, c.vocabSize(), dim);
    }

    private void copyOnWrite(PagedSequence.Append[] appends) {
        List<Integer> from = new ArrayList<>();
        List<Integer> to = new ArrayList<>();
        for (PagedSequence.Append a : appends) {
            for (int i = 0; i < a.copyFrom().length; i++) {
                from.add(a.copyFrom()[i]);
                to.add(a.copyTo()[i]);
            }
        }
        if (from.isEmpty()) {
            return;
        }
        CudaDevice device = ops.device();
        try (DeviceBuffer src = device.allocate(from.size() * 4L).put(from.stream().mapToInt(Integer::intValue).toArray());
             DeviceBuffer dst = device.allocate(to.size() * 4L).put(to.stream().mapToInt(Integer::intValue).toArray())) {
            int blockElements = c.kvDim() * BLOCK_POSITIONS;
            ops.kvCopy(kPool, vPool, src, dst, from.size(), c.layers(), layerBytes / 2, blockElements);
            device.synchronize();
        }
    }

    private void check(int[] ids) {
        if (ids.length == 0 || ids.length > maxRows) {
            throw new IllegalArgumentException(ids.length + " tokens in one call; the engine takes 1 to " + maxRows);
        }
        for (int id : ids) {
            if (id < 0 || id >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + c.vocabSize() + ")");
            }
        }
    }

    private DeviceBuffer floats(long count) {
        return keep(ops.device().allocate(Math.max(1, count) * Float.BYTES));
    }

    private DeviceBuffer keep(DeviceBuffer b) {
        scratch.add(b);
        return b;
    }

    /** Frees the pools and scratch; the model's weights stay (close the {@link DeviceModel}). */
    @Override
    public void close() {
        for (DeviceBuffer b : scratch) {
            b.close();
        }
        scratch.clear();
        planBuffers.close();
        decodePlan.close();
        for (CapturedStep step : graphs.values()) {
            step.graph().close();
        }
        graphs.clear();
        if (graphStream != null) {
            CudaCallException.check("cuStreamDestroy", cuStreamDestroy(graphStream));
            graphStream = null;
        }
    }
}
