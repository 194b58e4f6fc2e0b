package dev.patchwright.worker.pack;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ContextPacker#pack} wrote and what it left out.
 *
 * @param source      where the files came from
 * @param tokenizer   the name of the tokenizer that counted
 * @param format      the output format
 * @param bytes       UTF-8 size of everything written (tree, tags, contents, map), in bytes
 * @param tokens      tokens of everything written: the sum of each piece's exact count (tree, each
 *                    file's header, content and footer, the map); the whole output counted at once
 *                    may differ by a token or so at piece boundaries
 * @param files       the files packed whole, in output order
 * @param skipped     path (directories end in '/') to why it was left out
 * @param redactions  credentials replaced in the output, by file and line
 * @param mapped      files left out to fit {@code maxTokens}, listed in the map by their declarations (or, when
 *                    even those do not fit, their path alone)
 * @param omitted     files left out to fit {@code maxTokens} with not even their path in the map
 * @param cacheHits   files whose token count came from the cache
 * @param elapsed     wall time of the pack
 */
public record PackStats(String source, String tokenizer, OutputFormat format, long bytes, long tokens,
                        List<PackedFile> files, Map<String, Skip> skipped, List<Redaction> redactions,
                        List<String> mapped, List<String> omitted, int cacheHits, Duration elapsed) {

    /** One file packed whole: its path, its size in bytes and the tokens of its (redacted) content. */
    public record PackedFile(String path, long bytes, int tokens) {
    }

    /** A credential replaced by {@code [REDACTED kind]}, on a 1-based line of the file. */
    public record Redaction(String path, int line, String kind) {
    }

    public PackStats {
        files = List.copyOf(files);
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
        redactions = List.copyOf(redactions);
        mapped = List.copyOf(mapped);
        omitted = List.copyOf(omitted);
    }

    /** How many files were left out for each kind of reason. */
    public Map<Skip.Reason, Integer> skippedByReason() {
        Map<Skip.Reason, Integer> counts = new EnumMap<>(Skip.Reason.class);
        skipped.values().forEach(skip -> counts.merge(skip.reason(), 1, Integer::sum));
        return counts;
    }

    /** Tokens written per second of wall time. */
    public double tokensPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : tokens / seconds;
    }
}
