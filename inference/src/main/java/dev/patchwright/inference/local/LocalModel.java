package dev.patchwright.inference.local;

import dev.patchwright.inference.engine.Device;
import dev.patchwright.inference.engine.Engine;
import dev.patchwright.inference.engine.Generation;
import dev.patchwright.inference.engine.GenerationSettings;
import dev.patchwright.inference.engine.ModelConfig;
import dev.patchwright.inference.engine.Sample;
import dev.patchwright.inference.engine.TokenListener;
import dev.patchwright.inference.engine.cuda.CudaCallException;
import dev.patchwright.inference.engine.cuda.CudaEngine;
import dev.patchwright.inference.engine.cuda.CudaGenerator;
import dev.patchwright.inference.engine.paged.KvBlockPool;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.tokenizer.GenerationTokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import dev.patchwright.inference.tokenizer.chat.ChatTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Model} on Patchwright's own engine: a model folder ({@code config.json}, safetensors weights and
 * {@code tokenizer.json}) run in this process. A request's messages are rendered with the chat template the
 * tokenizer calls for; its {@code n} samples share the prompt's KV cache; a sample ends at the template's
 * end-of-turn tokens, at a stop string (cut off, as OpenAI does) or at the token limit.
 *
 * <p>A {@link PrefixCache} keeps the KV caches of recent prompts, so a prompt that starts like an earlier one
 * (the packed repository of the next round) processes only what is new; {@link Usage#cachedPromptTokens()}
 * counts what was reused. {@link Completion#compute()} is the time the engine spent, to be billed per
 * GPU-hour. Thread-safe: calls are served one at a time, in arrival order, since one call already uses
 * every core.
 */
public final class LocalModel implements Model, AutoCloseable {

    /** Positions per prefix-cache block: a prompt reuses an earlier one's cache in steps of this many tokens. */
    public static final int PREFIX_BLOCK_TOKENS = 128;

    /** The share of device memory left after the weights that the GPU engine's KV cache takes. */
    private static final double GPU_KV_FRACTION = 0.9;

    /** The prefix cache's size unless a caller says otherwise: a quarter of the heap. */
    public static final long DEFAULT_PREFIX_CACHE_BYTES = Runtime.getRuntime().maxMemory() / 4;

    private final String name;
    private final Engine engine;
    private final GenerationTokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> stopTokens;
    private final PrefixCache prefixCache;
    /** The GPU engine when the model runs on a device; {@code null} on the CPU. */
    private final CudaGenerator gpu;
    private final ReentrantLock lock = new ReentrantLock(true);

    private LocalModel(String name, Engine engine, CudaGenerator gpu, GenerationTokenizer tokenizer, ChatTemplate template,
            long prefixCacheBytes) {
        this.gpu = gpu;
        this.name = name;
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.template = template;
        this.stopTokens = template.stopTokenIds();
        this.prefixCache = new PrefixCache(engine.transformer(), PREFIX_BLOCK_TOKENS, prefixCacheBytes);
    }

    /**
     * Opens a model folder under the folder's own name, with the default prefix cache.
     *
     * @throws InferenceException naming the file that is missing or wrong
     */
    public static LocalModel open(Path folder) throws InferenceException {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return open(folder, name == null ? "local" : name.toString(), DEFAULT_PREFIX_CACHE_BYTES);
    }

    /**
     * Opens a model folder: its weights on the CPU engine, its {@code tokenizer.json} (with
     * {@code tokenizer_config.json} and {@code generation_config.json} beside it) and the chat template they
     * call for.
     *
     * @param name the name this model answers to in completions and prices
     * @param prefixCacheBytes the most memory the KV caches of earlier prompts may keep; 0 keeps none
     * @throws InferenceException (not retryable) naming the folder and what is missing or wrong in it
     */
    public static LocalModel open(Path folder, String name, long prefixCacheBytes) throws InferenceException {
        return open(folder, name, prefixCacheBytes, Device.CPU);
    }

    /**
     * As {@link #open(Path)}, on the device chosen: {@link Device#CUDA} runs the GPU engine on device 0
     * (its weights in device memory, a paged KV cache in most of the rest, which keeps the full blocks
     * of earlier prompts for reuse until it needs their room; the CPU prefix cache is not used),
     * anything else the CPU engine.
     *
     * @throws InferenceException (not retryable) naming the folder and what is wrong, or why the GPU engine cannot start
     */
    public static LocalModel open(Path folder, Device device) throws InferenceException {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        return open(folder, name == null ? "local" : name.toString(), DEFAULT_PREFIX_CACHE_BYTES, device);
    }

    private static LocalModel open(Path folder, String name, long prefixCacheBytes, Device device) throws InferenceException {
        if (!Files.isDirectory(folder)) {
            throw new InferenceException("model folder " + folder + " does not exist or is not a folder", false, null);
        }
        Path tokenizerFile = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new InferenceException("model folder " + folder + " has no tokenizer.json", false, null);
        }
        Engine engine = Engine.open(folder);
        CudaGenerator gpu = null;
        try {
            GenerationTokenizer tokenizer = Tokenizers.loadForGeneration("hf:" + tokenizerFile);
            ChatTemplate template = ChatTemplate.forTokenizer(tokenizer);
            if (device == Device.CUDA) {
                gpu = CudaGenerator.open(folder, GPU_KV_FRACTION);
            }
            return new LocalModel(name, engine, gpu, tokenizer, template, prefixCacheBytes);
        } catch (IllegalArgumentException e) {
            engine.close();
            throw new InferenceException("model folder " + folder + ": " + e.getMessage(), false, e);
        } catch (IllegalStateException | CudaCallException e) {
            engine.close();
            throw new InferenceException("the GPU engine cannot start: " + e.getMessage(), false, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The most tokens the model sees at once, prompt and answer together ({@code max_position_embeddings}). */
    public int contextTokens() {
        return engine.config().maxPositions();
    }

    /** The tokenizer the model reads and writes. */
    public GenerationTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Generates the request's samples.
     *
     * @throws PromptTooLongException when the rendered prompt fills the model's context
     * @throws InferenceException when the engine refuses the prompt (a token id the weights do not have)
     */
    @Override
    public Completion complete(ChatRequest request) throws InferenceException {
        LocalCompletion done = generate(request, TextListener.NONE);
        return new Completion(name, done.choices().stream().map(LocalCompletion.Choice::text).toList(), done.usage(),
                done.compute());
    }

    /**
     * Generates the request's samples, handing each one's text to {@code listener} as it comes. A request without
     * a seed gets a random one; sample {@code i} samples with seed {@code seed + i}. {@code maxTokens} is cut to
     * what the context leaves after the prompt. The listener runs while this model is busy: it must be quick.
     *
     * @throws PromptTooLongException when the rendered prompt fills the model's context
     * @throws InferenceException when the engine refuses the prompt (a token id the weights do not have)
     */
    public LocalCompletion generate(ChatRequest request, TextListener listener) throws InferenceException {
        int[] prompt = template.render(request.messages()).ids();
        int context = contextTokens();
        if (prompt.length >= context) {
            throw new PromptTooLongException(name, prompt.length, context);
        }
        int maxTokens = Math.min(request.maxTokens(), context - prompt.length);
        long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong();
        lock.lock();
        try {
            long start = System.nanoTime();
            int[] cached = {0};
            Samples samples;
            if (gpu != null) {
                samples = (settings, tokens) -> {
                    try {
                        Generation generation = gpu.generate(prompt, request.n(), settings, tokens);
                        cached[0] = generation.cachedPromptTokens();
                        return generation;
                    } catch (IllegalArgumentException e) {
                        throw new InferenceException("model " + name + " cannot run the request on the GPU: " + e.getMessage(), false, e);
                    }
                };
            } else {
                PrefixCache.Prefilled prefilled;
                try {
                    prefilled = prefixCache.prefill(prompt);
                } catch (IllegalArgumentException e) {
                    throw new InferenceException("model " + name + " cannot read the prompt: " + e.getMessage(), false, e);
                }
                cached[0] = prefilled.cachedTokens();
                samples = (settings, tokens) -> engine.generate(prefilled.cache(), prefilled.logits(), request.n(), settings, tokens);
            }
            List<LocalCompletion.Choice> choices = decode(samples, request, maxTokens, seed, listener);
            Duration compute = Duration.ofNanos(System.nanoTime() - start);
            long generated = choices.stream().mapToLong(LocalCompletion.Choice::tokens).sum();
            return new LocalCompletion(choices, new Usage(prompt.length, cached[0], generated), compute);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The samples decode together on the engine, one token of each live sample per forward batch; a
     * sample's text ends at a stop token, a stop string or {@code maxTokens}.
     */
    /** Runs the samples of one request on an engine, with these settings, telling {@code tokens} each token. */
    private interface Samples {
        Generation run(GenerationSettings settings, TokenListener tokens) throws InferenceException;
    }

    private List<LocalCompletion.Choice> decode(Samples samples, ChatRequest request, int maxTokens,
            long seed, TextListener listener) throws InferenceException {
        int n = request.n();
        SampleText[] texts = new SampleText[n];
        for (int i = 0; i < n; i++) {
            texts[i] = new SampleText(tokenizer.streamDecoder(), request.stop());
        }
        GenerationSettings settings = new GenerationSettings(maxTokens, request.temperature(), request.topP(), seed,
                stopTokens);
        Generation generation = samples.run(settings, new TokenListener() {
            @Override
            public void onToken(int sample, int token) {
                emit(listener, sample, texts[sample].add(token));
            }

            @Override
            public boolean wantsMore(int sample) {
                return !texts[sample].stopped();
            }
        });
        List<LocalCompletion.Choice> choices = new ArrayList<>();
        for (Sample sample : generation.samples()) {
            SampleText text = texts[sample.index()];
            boolean stopped = sample.stopped() || text.stopped();
            emit(listener, sample.index(), text.finish());
            choices.add(new LocalCompletion.Choice(text.text(), sample.tokens().length + (sample.stopped() ? 1 : 0),
                    stopped ? LocalCompletion.FinishReason.STOP : LocalCompletion.FinishReason.LENGTH));
        }
        return choices;
    }

    private static void emit(TextListener listener, int sample, String text) {
        if (!text.isEmpty()) {
            listener.onText(sample, text);
        }
    }

    /** Stops the engine's threads. */
    /**
     * The prefix cache as it stands: blocks of {@value #PREFIX_BLOCK_TOKENS} positions, those that
     * several cached prompts share, and the bytes they hold. Does not wait for a running call. On the
     * GPU: the paged KV cache's blocks of {@value CudaEngine#BLOCK_POSITIONS} positions held (by the
     * prefix cache of earlier prompts or a running request), the cached ones that several cached
     * prompts share, and the bytes of those held.
     */
    public PrefixCacheStats prefixCacheStats() {
        if (gpu != null) {
            ModelConfig c = gpu.config();
            long blockBytes = 2L * c.layers() * c.kvDim() * CudaEngine.BLOCK_POSITIONS * 2;
            KvBlockPool pool = gpu.engine().pool();
            int used = pool.used();
            return new PrefixCacheStats(used, gpu.engine().prefixCache().sharedBlocks(), used * blockBytes);
        }
        return new PrefixCacheStats(prefixCache.blocks(), prefixCache.sharedBlocks(), prefixCache.bytes());
    }

    /** See {@link #prefixCacheStats()}. */
    public record PrefixCacheStats(int blocks, int sharedBlocks, long bytes) {
    }

    @Override
    public void close() {
        engine.close();
        if (gpu != null) {
            gpu.close();
        }
    }

    @Override
    public String toString() {
        return "LocalModel[" + name + ", " + engine.config().architecture() + ", context " + contextTokens()
                + (gpu != null ? ", GPU" : "") + "]";
    }
}
