package dev.patchwright.worker.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.patchwright.inference.tokenizer.Tokenizer;

import org.eclipse.jgit.lib.ObjectId;

/**
 * The first look at one file, run on the packer's pool: is it text worth packing, what credentials
 * it holds, how many tokens it costs, and (with a window) what it declares, imports and says about
 * the task. Keeps none of the content.
 */
final class FileAnalysis {

    /** What a packed file costs and offers; {@code mapText} and what follows are empty without a window. */
    record Facts(PackSource.Entry entry, ObjectId blob, int tokens, int wrapTokens, List<SecretScanner.Finding> redactions,
                 String mapText, int mapTokens, int briefTokens, Relevance.Terms terms, boolean named,
                 List<String> imports) {
    }

    /** Either a reason to leave the file out, or its facts. */
    record Result(String path, Skip skip, Facts facts) {
    }

    private final PackSource source;
    private final PackOptions options;
    private final Relevance relevance;
    private final TokenCountCache cache;
    private final AtomicInteger hits;

    FileAnalysis(PackSource source, PackOptions options, Relevance relevance, TokenCountCache cache,
                 AtomicInteger hits) {
        this.source = source;
        this.options = options;
        this.relevance = relevance;
        this.cache = cache;
        this.hits = hits;
    }

    Result analyse(PackSource.Entry entry) throws IOException {
        String path = entry.path();
        byte[] bytes = source.read(entry, options.maxFileBytes());
        Skip skip = SkipRules.binary(bytes);
        String text = skip == null ? decode(bytes) : null;
        skip = skip == null ? SkipRules.generated(path, text) : skip;
        if (skip != null) {
            return new Result(path, skip, null);
        }
        ObjectId blob = entry.blob() != null ? entry.blob() : BlobIds.of(bytes);
        Counted counted = count(text, blob, options.tokenizer(), cache, hits);
        String content = counted.content();
        int tokens = counted.tokens();
        OutputFormat format = options.format();
        int wrap = wrapTokens(format, options.tokenizer(), path, content);
        if (relevance == null) {
            return new Result(path, null, new Facts(entry, blob, tokens, wrap, counted.redactions(), "", 0, 0, null, false,
                    List.of()));
        }
        List<Declarations.Declaration> declarations = Declarations.of(path, content);
        String map = format.mapEntry(path, declarations.stream().map(Declarations.Declaration::signature).toList());
        return new Result(path, null, new Facts(entry, blob, tokens, wrap, counted.redactions(), map,
                countWritten(map), countWritten(format.mapEntry(path, List.of())),
                relevance.terms(path, content), relevance.names(path, declarations), Imports.of(path, content)));
    }

    /** The tokens of a map entry, from the cache when this text was counted before (every repeat of a job). */
    private int countWritten(String text) {
        ObjectId key = BlobIds.ofWritten(text);
        int record = cache.get(key);
        if (record != TokenCountCache.MISSING) {
            return TokenCountCache.tokens(record);
        }
        int tokens = options.tokenizer().count(text);
        cache.put(key, tokens, true);
        return tokens;
    }

    /** A file's text with its credentials redacted, and the tokens of that text. */
    record Counted(String content, List<SecretScanner.Finding> redactions, int tokens) {
    }

    /**
     * Redacts and counts the text of blob {@code blob}. A blob the cache knows is neither counted again
     * nor, when the scan found it clean before, scanned again.
     */
    static Counted count(String text, ObjectId blob, Tokenizer tokenizer, TokenCountCache cache, AtomicInteger hits) {
        int record = cache.get(blob);
        SecretScanner.Result scanned = record != TokenCountCache.MISSING && TokenCountCache.clean(record)
                ? new SecretScanner.Result(text, List.of()) : SecretScanner.scan(text);
        int tokens;
        if (record == TokenCountCache.MISSING) {
            tokens = tokenizer.count(scanned.text());
            cache.put(blob, tokens, scanned.findings().isEmpty());
        } else {
            tokens = TokenCountCache.tokens(record);
            hits.incrementAndGet();
        }
        return new Counted(scanned.text(), scanned.findings(), tokens);
    }

    /** The tokens of a file's header and footer around {@code content}. */
    static int wrapTokens(OutputFormat format, Tokenizer tokenizer, String path, String content) {
        return tokenizer.count(format.fileOpen(path, content)) + tokenizer.count(format.fileClose(path, content));
    }

    /**
     * The text written for a file: decoded, credentials redacted; the same as {@link #analyse} saw.
     * A file in which the first look found nothing is not scanned again unless its content changed
     * since (a worktree file is hashed again to know; a blob cannot change).
     */
    static String text(PackSource source, Facts facts, long maxBytes) throws IOException {
        byte[] bytes = source.read(facts.entry(), maxBytes);
        String text = decode(bytes);
        boolean unchanged = facts.entry().blob() != null
                || facts.blob().equals(BlobIds.of(bytes));
        return facts.redactions().isEmpty() && unchanged ? text : SecretScanner.scan(text).text();
    }

    /** UTF-8, with any invalid sequence past the sniffed start replaced. */
    static String decode(byte[] bytes) {
        // The String constructor replaces malformed input with U+FFFD, as the packer promises.
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
