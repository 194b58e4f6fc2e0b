package dev.patchwright.inference.engine.cuda;

import dev.patchwright.inference.engine.Generation;
import dev.patchwright.inference.engine.GenerationSettings;
import dev.patchwright.inference.engine.ModelConfig;
import dev.patchwright.inference.engine.ModelFolder;
import dev.patchwright.inference.engine.ModelLoadException;
import dev.patchwright.inference.engine.SampleProgress;
import dev.patchwright.inference.engine.TokenListener;
import dev.patchwright.inference.engine.paged.PagedSequence;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * N samples from one prompt on the GPU, as {@link dev.patchwright.inference.engine.Engine#generate}
 * does on the CPU: the prompt is processed once in chunks (its first full blocks taken from the
 * engine's prefix cache when an earlier prompt started the same way), every sample forks its KV blocks
 * (shared, copied only where a sample writes into the prompt's last, partly filled block), and
 * the samples decode together, sampling on the device so that only token ids cross to the host.
 *
 * <p>Sample {@code i} draws its random numbers from a stream seeded {@code seed + i}, as on the
 * CPU; the device walks the nucleus in token order, the CPU most likely first, so one seed picks
 * tokens of the same distribution but not the same tokens (greedy decoding gives the same ones
 * up to bf16 rounding).
 */
public final class CudaGenerator implements AutoCloseable {

    /** Prompt tokens per forward call. */
    public static final int PREFILL_CHUNK = 1024;
    /** The most samples decoded in one batch. */
    public static final int MAX_BATCH = 64;
    /**
     * The most KV blocks a pool gets (16M positions; 8 MiB of host bookkeeping): a small model
     * would otherwise get billions of blocks from a large card.
     */
    public static final int MAX_KV_BLOCKS = 1 << 20;
    /** The system property that turns CUDA graphs for decode steps on ({@code true}); off by default. */
    public static final String GRAPHS_PROPERTY = "patchwright.cuda.graphs";

    private final CudaDevice device;
    private final DeviceModel model;
    private final CudaEngine engine;
    private final DeviceBuffer params; // (MAX_BATCH, 3) temperature, top_p, u
    private final DeviceBuffer chosen; // (MAX_BATCH) ints

    public CudaGenerator(CudaDevice device, DeviceModel model, CudaEngine engine) {
        this.device = device;
        this.model = model;
        this.engine = engine;
        this.params = device.allocate(MAX_BATCH * 3L * Float.BYTES);
        this.chosen = device.allocate(MAX_BATCH * (long) Integer.BYTES);
    }

    /**
     * Opens a model folder on device 0, with a KV pool of {@code kvFraction} of the memory left
     * after the weights and scratch; decode steps replay CUDA graphs when the system property
     * {@value #GRAPHS_PROPERTY} is {@code true}.
     *
     * @throws ModelLoadException naming the file or tensor that is missing or wrong
     * @throws IllegalStateException when no usable device is there, naming why
     */
    public static CudaGenerator open(Path folder, double kvFraction) throws ModelLoadException {
        ModelFolder loaded = ModelFolder.open(folder);
        CudaDevice device = CudaDevice.open(0);
        CudaOps ops = new CudaOps(device);
        DeviceModel model = DeviceModel.upload(loaded.config(), loaded.weights(), device);
        ModelConfig c = loaded.config();
        long[] free = new long[1];
        long[] total = new long[1];
        CudaCallException.check("cuMemGetInfo", jcuda.driver.JCudaDriver.cuMemGetInfo(free, total));
        long scratch = (long) PREFILL_CHUNK * (4L * c.dim() + 2L * c.qDim() + 2L * c.kvDim() + 2L * c.hiddenDim() + c.vocabSize()) * 4;
        long blockBytes = 2L * c.layers() * c.kvDim() * CudaEngine.BLOCK_POSITIONS * 2;
        long blocks = (long) ((free[0] - scratch) * kvFraction / blockBytes);
        if (blocks < 4) {
            String name = device.name();
            model.close();
            device.close();
            throw new IllegalStateException(name + ": too little memory left for a KV cache after the weights");
        }
        CudaEngine engine = new CudaEngine(ops, model, Math.max(PREFILL_CHUNK, MAX_BATCH), (int) Math.min(MAX_KV_BLOCKS, blocks))
                .useGraphs(Boolean.getBoolean(GRAPHS_PROPERTY));
        return new CudaGenerator(device, model, engine);
    }

    public ModelConfig config() {
        return engine.config();
    }

    public CudaEngine engine() {
        return engine;
    }

    /**
     * Generates {@code n} samples that continue {@code prompt}; see the class comment for seeds.
     *
     * @throws IllegalArgumentException on an empty prompt, n outside 1..{@value #MAX_BATCH}, or a token outside the vocabulary
     */
    public Generation generate(int[] prompt, int n, GenerationSettings settings, TokenListener listener) {
        if (n < 1 || n > MAX_BATCH) {
            throw new IllegalArgumentException("samples must be in 1.." + MAX_BATCH + ", found " + n);
        }
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        device.bind();
        long start = System.nanoTime();
        int vocab = config().vocabSize();
        List<PagedSequence> open = new ArrayList<>();
        try {
            CudaEngine.Prefilled processed = engine.prefillPrompt(prompt, PREFILL_CHUNK);
            PagedSequence shared = processed.sequence();
            open.add(shared);
            long prefilled = System.nanoTime();
            DeviceBuffer promptLogits = device.allocate((long) vocab * Float.BYTES).copyFrom(engine.logits(), (long) vocab * Float.BYTES);
            PagedSequence[] samples = new PagedSequence[n];
            SplittableRandom[] randoms = new SplittableRandom[n];
            SampleProgress progress = new SampleProgress(n, settings, listener);
            int[] rowOf = new int[n]; // the logits row of each live sample
            long rowBytes = (long) vocab * Float.BYTES;
            for (int i = 0; i < n; i++) {
                samples[i] = shared.fork();
                open.add(samples[i]);
                randoms[i] = new SplittableRandom(settings.seed() + i);
                rowOf[i] = i;
                engine.logits().view(i * rowBytes, rowBytes).copyFrom(promptLogits, rowBytes);
            }
            promptLogits.close();
            int rows = n;
            while (true) {
                int[] tokens = sample(rows, rowOf, progress, randoms, settings);
                List<Integer> batch = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (progress.live(i) && progress.accept(i, tokens[rowOf[i]])) {
                        batch.add(i);
                    }
                }
                if (batch.isEmpty()) {
                    break;
                }
                int[] next = new int[batch.size()];
                PagedSequence[] sequences = new PagedSequence[batch.size()];
                for (int b = 0; b < batch.size(); b++) {
                    int i = batch.get(b);
                    next[b] = progress.last(i);
                    sequences[b] = samples[i];
                    rowOf[i] = b;
                }
                engine.decode(next, sequences);
                rows = batch.size();
            }
            long end = System.nanoTime();
            return new Generation(progress.samples(), prompt.length, progress.generated(), (prefilled - start) / 1e9,
                    (end - prefilled) / 1e9, processed.cachedTokens());
        } finally {
            open.forEach(PagedSequence::close);
        }
    }

    /** One token per logits row, drawn on the device; rows of finished samples are drawn and ignored. */
    private int[] sample(int rows, int[] rowOf, SampleProgress progress, SplittableRandom[] randoms, GenerationSettings s) {
        float[] p = new float[rows * 3];
        for (int i = 0; i < randoms.length; i++) {
            if (progress.live(i)) {
                int r = rowOf[i];
                p[3 * r] = (float) s.temperature();
                p[3 * r + 1] = (float) s.topP();
                p[3 * r + 2] = s.temperature() == 0 ? 0f : (float) randoms[i].nextDouble();
            }
        }
        params.put(p);
        engine.ops().sampleTopP(engine.logits(), rows, config().vocabSize(), params, chosen);
        return chosen.get(new int[rows]);
    }

    @Override
    public void close() {
        params.close();
        chosen.close();
        engine.close();
        model.close();
        device.close();
    }
}
