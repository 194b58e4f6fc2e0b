package dev.patchwright.worker.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jgit.lib.ObjectId;

/**
 * The first look at one file, run on the packer's pool: is it text worth packing, what credentials
 * it holds, how many tokens it costs, and (with a window) what it declares, imports and says about
 * the task. Keeps none of the content.
 */
final class FileAnalysis {

    /** What a packed file costs and offers; {@code mapText} and what follows are empty without a window. */
    record Facts(PackSource.Entry entry, ObjectId blob, int tokens, int wrapTokens, List<SecretScanner.Finding> redactions,
                 String mapText, int mapTokens, Relevance.Terms terms, boolean named, List<String> imports) {
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
        ObjectId blob = entry.blob() != null ? entry.blob()
                : BlobIds.of(bytes);
        int record = cache.get(blob);
        // A blob the scan found clean before is neither scanned nor counted again.
        SecretScanner.Result scanned = record != TokenCountCache.MISSING && TokenCountCache.clean(record)
                ? new SecretScanner.Result(text, List.of()) : SecretScanner.scan(text);
        String content = scanned.text();
        int tokens;
        if (record == TokenCountCache.MISSING) {
            tokens = options.tokenizer().count(content);
            cache.put(blob, tokens, scanned.findings().isEmpty());
        } else {
            tokens = TokenCountCache.tokens(record);
            hits.incrementAndGet();
        }
        OutputFormat format = options.format();
        int wrap = options.tokenizer().count(format.fileOpen(path, content))
                + options.tokenizer().count(format.fileClose(path, content));
        if (relevance == null) {
            return new Result(path, null, new Facts(entry, blob, tokens, wrap, scanned.findings(), "", 0, null, false,
                    List.of()));
        }
        List<Declarations.Declaration> declarations = Declarations.of(path, content);
        String map = format.mapEntry(path, declarations.stream().map(Declarations.Declaration::signature).toList());
        return new Result(path, null, new Facts(entry, blob, tokens, wrap, scanned.findings(), map,
                options.tokenizer().count(map), relevance.terms(path, content), relevance.names(path, declarations),
                Imports.of(path, content)));
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
    private static String decode(byte[] bytes) {
        // The String constructor replaces malformed input with U+FFFD, as the packer promises.
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
