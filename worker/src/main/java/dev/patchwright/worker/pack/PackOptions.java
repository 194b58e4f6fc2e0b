package dev.patchwright.worker.pack;

import dev.patchwright.inference.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link ContextPacker} packs.
 *
 * @param tokenizer    counts every piece of the output; must be safe to call from several threads
 * @param format       the output format
 * @param maxFileBytes files larger than this many bytes are left out; positive
 * @param extraIgnores gitignore-style patterns relative to the root (a repository's
 *                     {@code paths-ignore}), stronger than any {@code .gitignore}
 * @param maxTokens    the window: when the whole pack is longer, files are cut to fit; 0 for no limit
 * @param task         the task text (an issue) that decides which files matter most when cutting; may be empty
 * @param cacheDir     where token counts are kept across runs; null to keep them for one pack only
 * @param threads      threads that read, scan and count files; positive
 * @param focus        paths (relative to the root) that must be packed whole when the window allows, with their
 *                     tests or the sources they test, before anything the ranking chooses (a localisation's answer)
 */
public record PackOptions(Tokenizer tokenizer, OutputFormat format, long maxFileBytes, List<String> extraIgnores,
                          long maxTokens, String task, Path cacheDir, int threads, List<String> focus) {

    public PackOptions {
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(format, "format");
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be positive, was " + maxFileBytes);
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be 0 (no limit) or positive, was " + maxTokens);
        }
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, was " + threads);
        }
        extraIgnores = List.copyOf(extraIgnores);
        focus = List.copyOf(focus);
        task = task == null ? "" : task;
    }

    /** XML, a 1 MiB cap, no extra patterns, no window, no cache directory, one thread per core. */
    public static PackOptions defaults(Tokenizer tokenizer) {
        return new PackOptions(tokenizer, OutputFormat.XML, ContextPacker.DEFAULT_MAX_FILE_BYTES, List.of(), 0, "",
                null, Runtime.getRuntime().availableProcessors(), List.of());
    }

    public PackOptions withFormat(OutputFormat value) {
        return new PackOptions(tokenizer, value, maxFileBytes, extraIgnores, maxTokens, task, cacheDir, threads, focus);
    }

    public PackOptions withMaxFileBytes(long value) {
        return new PackOptions(tokenizer, format, value, extraIgnores, maxTokens, task, cacheDir, threads, focus);
    }

    public PackOptions withExtraIgnores(List<String> value) {
        return new PackOptions(tokenizer, format, maxFileBytes, value, maxTokens, task, cacheDir, threads, focus);
    }

    /** A window of {@code value} tokens, cut by relevance to {@code taskText}. */
    public PackOptions withMaxTokens(long value, String taskText) {
        return new PackOptions(tokenizer, format, maxFileBytes, extraIgnores, value, taskText, cacheDir, threads, focus);
    }

    public PackOptions withCacheDir(Path value) {
        return new PackOptions(tokenizer, format, maxFileBytes, extraIgnores, maxTokens, task, value, threads, focus);
    }

    /** Paths packed whole first, with their paired tests or sources; see {@code focus} above. */
    public PackOptions withFocus(List<String> value) {
        return new PackOptions(tokenizer, format, maxFileBytes, extraIgnores, maxTokens, task, cacheDir, threads, value);
    }

    public PackOptions withThreads(int value) {
        return new PackOptions(tokenizer, format, maxFileBytes, extraIgnores, maxTokens, task, cacheDir, value, focus);
    }
}
