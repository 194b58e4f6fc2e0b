package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cpu.CpuKernels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Patchwright's own inference engine: a model folder's weights, a {@link Transformer} over a set
 * of {@link Kernels}, and generation of N samples from one prompt. It works on token ids; text is
 * the tokenizer's business.
 *
 * <p>The prompt is processed once, in chunks of {@link #PREFILL_CHUNK} tokens; every sample then
 * forks the prompt's KV cache (sharing it read-only) and the samples decode together, one token of
 * each per batch. Calls may run concurrently; each has its own caches.
 */
public final class Engine implements AutoCloseable {

    /** Prompt tokens per forward call: bounds the activations a long prompt needs at once. */
    public static final int PREFILL_CHUNK = 512;

    private final ModelFolder folder;
    private final Kernels kernels;
    private final Transformer transformer;

    /** An engine over a loaded folder; it closes {@code kernels} when it is closed. */
    public Engine(ModelFolder folder, Kernels kernels) {
        this.folder = folder;
        this.kernels = kernels;
        this.transformer = new Transformer(folder.config(), folder.weights(), kernels);
    }

    /**
     * Opens a model folder on the CPU kernels, using every core.
     *
     * @throws ModelLoadException naming the file or tensor that is missing or wrong
     */
    public static Engine open(Path modelFolder) throws ModelLoadException {
        return new Engine(ModelFolder.open(modelFolder), new CpuKernels());
    }

    public ModelConfig config() {
        return folder.config();
    }

    public ModelFolder folder() {
        return folder;
    }

    public Transformer transformer() {
        return transformer;
    }

    /**
     * Processes a prompt into a new KV cache.
     *
     * @param prompt token ids, at least one
     * @return the logits after the prompt's last token
     * @throws IllegalArgumentException on an empty prompt or a token id outside the vocabulary
     */
    public float[] prefill(int[] prompt, KvCache cache) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += PREFILL_CHUNK) {
            int[] chunk = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + PREFILL_CHUNK));
            logits = transformer.forward(chunk, cache);
        }
        return logits;
    }

    /**
     * Generates {@code n} samples that continue {@code prompt}. Sample {@code i} draws with seed
     * {@code settings.seed() + i}, so it gets the same tokens as a generation of one sample with
     * that seed. A sample ends at a stop token (not included), after {@code settings.maxTokens()},
     * or when the listener wants no more.
     *
     * @param listener hears each sample's tokens as they come
     * @throws IllegalArgumentException on an empty prompt, {@code n < 1} or a token id outside the vocabulary
     */
    public Generation generate(int[] prompt, int n, GenerationSettings settings, TokenListener listener) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one sample, found " + n);
        }
        long start = System.nanoTime();
        KvCache shared = new KvCache(config(), prompt.length);
        float[] promptLogits = prefill(prompt, shared);
        double promptSeconds = (System.nanoTime() - start) / 1e9;
        Generation decoded = generate(shared, promptLogits, n, settings, listener);
        return new Generation(decoded.samples(), prompt.length, decoded.generatedTokens(), promptSeconds,
                decoded.decodeSeconds());
    }

    /**
     * As {@link #generate(int[], int, GenerationSettings, TokenListener)}, for a prompt already in
     * {@code prompt} (a prefix cache's), with {@code promptLogits} after its last token. The cache is only
     * read: each sample forks it. The result counts no prompt time.
     *
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public Generation generate(KvCache prompt, float[] promptLogits, int n, GenerationSettings settings,
                               TokenListener listener) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one sample, found " + n);
        }
        long prefilled = System.nanoTime();
        Sampler[] samplers = new Sampler[n];
        KvCache[] caches = new KvCache[n];
        float[][] logits = new float[n][];
        SampleProgress progress = new SampleProgress(n, settings, listener);
        for (int i = 0; i < n; i++) {
            samplers[i] = new Sampler(settings.temperature(), settings.topP(), settings.seed() + i);
            caches[i] = prompt.fork(settings.maxTokens() - 1);
            logits[i] = promptLogits;
        }
        while (true) {
            List<Integer> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (progress.live(i) && progress.accept(i, samplers[i].sample(logits[i]))) {
                    batch.add(i);
                }
            }
            if (batch.isEmpty()) {
                break;
            }
            int[][] tokens = new int[batch.size()][];
            KvCache[] batchCaches = new KvCache[batch.size()];
            for (int b = 0; b < batch.size(); b++) {
                int i = batch.get(b);
                tokens[b] = new int[] {progress.last(i)};
                batchCaches[b] = caches[i];
            }
            float[][] next = transformer.forwardBatch(tokens, batchCaches);
            for (int b = 0; b < batch.size(); b++) {
                logits[batch.get(b)] = next[b];
            }
        }
        long end = System.nanoTime();
        return new Generation(progress.samples(), prompt.length(), progress.generated(), 0, (end - prefilled) / 1e9);
    }

    /** Stops the kernels' threads. The mapped weights are released when no longer referenced. */
    @Override
    public void close() {
        kernels.close();
    }
}
