package dev.patchwright.worker.pack;

import dev.patchwright.inference.tokenizer.Tokenizer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Packs a repository into one text for a model's context: a directory tree, then every file worth
 * reading under its path, in git's path order, with credentials redacted and every piece counted by
 * a tokenizer. Over {@link PackOptions#maxTokens()} it keeps the files most relevant to the task whole
 * and lists the declarations of the rest.
 *
 * <p>The output streams: files are read, scanned and counted on a small thread pool, but written
 * in order, and at most a few files' contents are held at once, whatever the repository's size. The
 * same files always give the same bytes, and an unchanged file keeps its place relative to the
 * others, so a provider's prompt cache can reuse an unchanged prefix. The {@link Tokenizer} must
 * be safe to call from several threads.
 */
public final class ContextPacker {

    /** The default size cap of one file: 1 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
    /** How many commits back "recently changed" looks, when the source has history. */
    static final int RECENT_COMMITS = 50;

    /** Over a window, the directory tree takes at most this fraction (1/n) of it, or is shortened. */
    static final int TREE_SHARE = 8;

    private final PackOptions options;

    /**
     * @throws IllegalArgumentException when an extra pattern is not a valid gitignore pattern
     */
    public ContextPacker(PackOptions options) {
        this.options = options;
        new IgnoreRules(options.extraIgnores()); // reject bad patterns here, not in the middle of a pack
    }

    /** Packs the directory {@code root}; see {@link #pack(PackSource, Writer)}. */
    public PackStats pack(Path root, Writer out) throws IOException {
        try (PackSource source = PackSource.worktree(root)) {
            return pack(source, out);
        }
    }

    /**
     * Packs {@code source} into {@code out}, which is flushed but not closed.
     *
     * @return what was packed, what was left out and why, and the token counts
     * @throws IOException when reading, the token cache or writing fails
     * @throws IllegalArgumentException when {@code maxTokens} cannot hold even the directory tree
     */
    public PackStats pack(PackSource source, Writer out) throws IOException {
        long started = System.nanoTime();
        Tokenizer tokenizer = options.tokenizer();
        Relevance relevance = options.maxTokens() > 0 ? new Relevance(options.task()) : null;
        AtomicInteger hits = new AtomicInteger();
        ExecutorService pool = pool(options.threads());
        try (TokenCountCache cache = options.cacheDir() == null ? TokenCountCache.inMemory()
                : TokenCountCache.open(options.cacheDir(), tokenizer.name())) {
            Analysed analysed = analyse(source, relevance, pool, cache, hits);
            List<FileAnalysis.Facts> files = analysed.files();
            List<String> paths = analysed.paths();
            String tree = analysed.tree();
            long treeTokens = analysed.treeTokens();
            Window.Choice choice = null;
            if (options.maxTokens() > 0 && analysed.whole() > options.maxTokens()) {
                // A large repository's full tree could crowd out its files: shorten it to a share of the window.
                if (treeTokens > options.maxTokens() / TREE_SHARE) {
                    tree = shortTree(paths, options.maxTokens() / TREE_SHARE);
                    treeTokens = tokenizer.count(tree);
                }
                choice = choose(rank(source, relevance, files, paths), files, treeTokens, options.maxTokens());
            }
            Written written = write(source, out, pool, tree, treeTokens, files, choice);
            return new PackStats(source.describe(), tokenizer.name(), options.format(), written.bytes(), written.tokens(),
                    written.files(), analysed.skipped(), written.redactions(), written.mapped(), written.omitted(),
                    hits.get(), Duration.ofNanos(System.nanoTime() - started));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * What a localisation step shows a model before the pack: how long the whole pack would be, the
     * files in the order the window would take them, and a map of every file (its path and
     * declarations) within {@code mapTokens}, the least relevant entries cut to their paths and then
     * left out when it is too long.
     *
     * @param tokens     the tokens of the whole pack, as {@link #pack} would write it without a window
     * @param ranked     every packed file's path, most relevant to the task first
     * @param map        the map's text, in path order, in the pack's format
     * @param mapped     how many files the map lists
     */
    public record Survey(long tokens, List<String> ranked, String map, int mapped) {
    }

    /**
     * Surveys {@code source} for the task of the options (their window aside).
     *
     * @throws IOException when reading or the token cache fails
     */
    public Survey survey(PackSource source, long mapTokens) throws IOException {
        Relevance relevance = new Relevance(options.task());
        ExecutorService pool = pool(options.threads());
        try (TokenCountCache cache = options.cacheDir() == null ? TokenCountCache.inMemory()
                : TokenCountCache.open(options.cacheDir(), options.tokenizer().name())) {
            Analysed analysed = analyse(source, relevance, pool, cache, new AtomicInteger());
            List<FileAnalysis.Facts> files = analysed.files();
            Ranking ranking = rank(source, relevance, files, analysed.paths());
            List<String> ranked = ranking.order().stream().map(analysed.paths()::get).toList();
            // Nothing whole: a window as long as the map may be, and files too long for any.
            List<Window.Candidate> candidates = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                FileAnalysis.Facts file = files.get(i);
                candidates.add(new Window.Candidate(Integer.MAX_VALUE / 2, file.mapTokens(), file.briefTokens(),
                        ranking.tier()[i], ranking.scores()[i]));
            }
            Window.Choice choice = Window.choose(candidates, 0, frame(), Math.max(1, mapTokens));
            StringBuilder map = new StringBuilder();
            int mapped = 0;
            for (int i = 0; i < files.size(); i++) {
                if (choice.mapped()[i]) {
                    mapped++;
                    map.append(choice.brief()[i] ? options.format().mapEntry(files.get(i).entry().path(), List.of())
                            : files.get(i).mapText());
                }
            }
            String text = mapped == 0 ? "" : options.format().mapOpen() + map + options.format().mapClose();
            return new Survey(analysed.whole(), ranked, text, mapped);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every file's facts, in path order, what was left out, the full tree and the tokens of a pack of it all. */
    private record Analysed(List<FileAnalysis.Facts> files, List<String> paths, Map<String, Skip> skipped,
                            String tree, long treeTokens, long whole) {
    }

    private Analysed analyse(PackSource source, Relevance relevance, ExecutorService pool, TokenCountCache cache,
                             AtomicInteger hits) throws IOException {
        Walk walk = walk(source, options);
        Map<String, Skip> skipped = walk.skipped();
        FileAnalysis analysis = new FileAnalysis(source, options, relevance, cache, hits);
        List<Future<FileAnalysis.Result>> pending = new ArrayList<>(walk.entries().size());
        for (PackSource.Entry entry : walk.entries()) {
            pending.add(pool.submit(() -> analysis.analyse(entry)));
        }
        List<FileAnalysis.Facts> files = new ArrayList<>();
        for (Future<FileAnalysis.Result> future : pending) {
            FileAnalysis.Result result = await(future);
            if (result.skip() != null) {
                skipped.put(result.path(), result.skip());
            } else {
                files.add(result.facts());
            }
        }
        List<String> paths = files.stream().map(f -> f.entry().path()).toList();
        String tree = options.format().tree(paths);
        long treeTokens = options.tokenizer().count(tree);
        long whole = treeTokens;
        for (FileAnalysis.Facts file : files) {
            whole += file.tokens() + file.wrapTokens();
        }
        return new Analysed(files, paths, skipped, tree, treeTokens, whole);
    }

    /**
     * Packs {@code source} into the file {@code out}, which is replaced in one rename when the pack is
     * complete (never left half-written). Without a window, the sections of files unchanged since the
     * last pack into the same file are copied from it rather than read, scanned and counted again;
     * the bytes are the same as a fresh pack's.
     *
     * @return as {@link #pack(PackSource, Writer)}
     * @throws IOException when reading, the caches or writing fails
     */
    public PackStats pack(PackSource source, Path out) throws IOException {
        if (options.maxTokens() > 0) {
            // The window needs every file's facts before the first byte is written: no sections to copy.
            return PackFileWriter.replace(out, channel -> {
                Writer writer = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8), 1 << 16);
                PackStats stats = pack(source, writer);
                writer.flush();
                return stats;
            });
        }
        return new PackFileWriter(options).pack(source, out);
    }

    /** Packs the directory {@code root} into the file {@code out}; see {@link #pack(PackSource, Path)}. */
    public PackStats pack(Path root, Path out) throws IOException {
        try (PackSource source = PackSource.worktree(root)) {
            return pack(source, out);
        }
    }

    /** The files a walk found to look at, and what it left out by path (directories end in '/'), in path order. */
    record Walk(List<PackSource.Entry> entries, Map<String, Skip> skipped) {
    }

    static Walk walk(PackSource source, PackOptions options) throws IOException {
        List<PackSource.Entry> entries = new ArrayList<>();
        // In path order, whether the walk or a look inside left the file out.
        Map<String, Skip> skipped = new TreeMap<>((a, b) -> PackSource.gitOrder(a, false, b, false));
        source.walk(new IgnoreRules(options.extraIgnores()), options.maxFileBytes(), new PackSource.Visitor() {
            @Override
            public void file(PackSource.Entry entry) {
                entries.add(entry);
            }

            @Override
            public void skipped(String path, Skip skip) {
                skipped.put(path, skip);
            }
        });
        return new Walk(entries, skipped);
    }

    /** Daemon threads that read, scan and count; shut down by whoever made them. */
    static ExecutorService pool(int threads) {
        return Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "pack");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The deepest tree of {@code paths} that takes at most {@code budget} tokens, directories below
     * the cut summarised by their file counts; the top level alone when nothing deeper fits.
     */
    private String shortTree(List<String> paths, long budget) {
        int deepest = 0;
        for (String path : paths) {
            deepest = Math.max(deepest, (int) path.chars().filter(c -> c == '/').count());
        }
        int low = 0;
        int high = deepest - 1; // the full tree (depth `deepest`) is known to be too long
        String best = options.format().tree(paths, 0);
        while (low <= high) {
            int middle = (low + high) >>> 1;
            String tree = options.format().tree(paths, middle);
            if (options.tokenizer().count(tree) <= budget) {
                best = tree;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return best;
    }

    /**
     * How the window orders the files: by tier (0: named by the task or in the focus, or paired with
     * such a file as its test or the source it tests; 1: imports or is imported by a tier-0 file; 2:
     * the rest), then by score (BM25, recent changes; a file scores at least nearly what its test or
     * source does, shared among that file's partners, so a pair stays together), then path order.
     */
    private record Ranking(int[] tier, double[] scores, List<Integer> order) {
    }

    private Ranking rank(PackSource source, Relevance relevance, List<FileAnalysis.Facts> files, List<String> paths)
            throws IOException {
        double[] bm25 = relevance.scores(files.stream().map(FileAnalysis.Facts::terms).toList());
        List<String> recent = source.recentlyChanged(RECENT_COMMITS);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            index.put(paths.get(i), i);
        }
        for (int r = 0; r < recent.size(); r++) {
            Integer i = index.get(recent.get(r));
            if (i != null) {
                bm25[i] += 0.5 * (recent.size() - r) / recent.size();
            }
        }
        int[][] partners = TestPairs.of(paths);
        double[] scores = bm25.clone();
        for (int i = 0; i < files.size(); i++) {
            for (int j : partners[i]) {
                // Shared among them: a source with a dozen test files does not lift them all to its rank.
                scores[j] = Math.max(scores[j], PARTNER_SHARE * bm25[i] / partners[i].length);
            }
        }
        int[] tier = new int[files.size()];
        Arrays.fill(tier, 2);
        Set<String> focus = new HashSet<>(options.focus());
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).named() || focus.contains(paths.get(i))) {
                tier[i] = 0;
            }
        }
        boolean[] chosen = new boolean[files.size()];
        for (int i = 0; i < files.size(); i++) {
            chosen[i] = tier[i] == 0;
        }
        for (int i = 0; i < files.size(); i++) {
            if (chosen[i]) {
                for (int j : partners[i]) {
                    tier[j] = 0; // a chosen source brings its tests, a chosen test its source
                }
            }
        }
        Imports.Index imports = new Imports.Index(paths);
        for (int i = 0; i < files.size(); i++) {
            for (String suffix : files.get(i).imports()) {
                for (int j : imports.resolve(suffix)) {
                    if (j != i && tier[i] == 0 && tier[j] > 1) {
                        tier[j] = 1; // imported by a named file
                    } else if (j != i && tier[j] == 0 && tier[i] > 1) {
                        tier[i] = 1; // imports a named file
                    }
                }
            }
        }
        return new Ranking(tier, scores, List.copyOf(Window.order(files.size(), i -> tier[i], i -> scores[i])));
    }

    /** A file's score is at least this share of its test's or its source's. */
    static final double PARTNER_SHARE = 0.99;

    private Window.Choice choose(Ranking ranking, List<FileAnalysis.Facts> files, long treeTokens, long maxTokens) {
        List<Window.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            FileAnalysis.Facts file = files.get(i);
            candidates.add(new Window.Candidate(file.tokens() + file.wrapTokens(), file.mapTokens(), file.briefTokens(),
                    ranking.tier()[i], ranking.scores()[i]));
        }
        return Window.choose(candidates, treeTokens, frame(), maxTokens);
    }

    /** The tokens of the map's opening and closing lines. */
    private int frame() {
        OutputFormat format = options.format();
        return options.tokenizer().count(format.mapOpen()) + options.tokenizer().count(format.mapClose());
    }

    /** What the second pass wrote. */
    private record Written(long bytes, long tokens, List<PackStats.PackedFile> files,
                           List<PackStats.Redaction> redactions, List<String> mapped, List<String> omitted) {
    }

    /** Writes the tree, the chosen files (read again, a few at a time, in order) and the map. */
    private Written write(PackSource source, Writer out, ExecutorService pool, String tree, long treeTokens,
                          List<FileAnalysis.Facts> files, Window.Choice choice) throws IOException {
        OutputFormat format = options.format();
        Utf8CountingWriter counted = new Utf8CountingWriter(out);
        counted.write(tree);
        long tokens = treeTokens;
        List<PackStats.PackedFile> packed = new ArrayList<>();
        List<PackStats.Redaction> redactions = new ArrayList<>();
        Deque<Future<String>> window = new ArrayDeque<>();
        List<FileAnalysis.Facts> chosen = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (choice == null || choice.whole()[i]) {
                chosen.add(files.get(i));
            }
        }
        int next = 0;
        for (FileAnalysis.Facts file : chosen) {
            while (next < chosen.size() && window.size() < 2 * options.threads() + 2) {
                FileAnalysis.Facts facts = chosen.get(next++);
                window.add(pool.submit(() -> FileAnalysis.text(source, facts, options.maxFileBytes())));
            }
            String text = await(window.poll());
            String path = file.entry().path();
            counted.write(format.fileOpen(path, text));
            counted.write(text);
            counted.write(format.fileClose(path, text));
            tokens += file.tokens() + file.wrapTokens();
            packed.add(new PackStats.PackedFile(path, file.entry().size(), file.tokens()));
            file.redactions().forEach(f -> redactions.add(new PackStats.Redaction(path, f.line(), f.kind())));
        }
        List<String> mapped = new ArrayList<>();
        List<String> omitted = new ArrayList<>();
        if (choice != null) {
            for (int i = 0; i < files.size(); i++) {
                if (choice.mapped()[i]) {
                    if (mapped.isEmpty()) {
                        counted.write(format.mapOpen());
                        tokens += options.tokenizer().count(format.mapOpen()) + options.tokenizer().count(format.mapClose());
                    }
                    FileAnalysis.Facts file = files.get(i);
                    mapped.add(file.entry().path());
                    if (choice.brief()[i]) {
                        counted.write(format.mapEntry(file.entry().path(), List.of()));
                        tokens += file.briefTokens();
                    } else {
                        counted.write(file.mapText());
                        tokens += file.mapTokens();
                    }
                } else if (!choice.whole()[i]) {
                    omitted.add(files.get(i).entry().path());
                }
            }
            if (!mapped.isEmpty()) {
                counted.write(format.mapClose());
            }
        }
        counted.flush();
        return new Written(counted.bytes(), tokens, packed, redactions, mapped, omitted);
    }

    static <T> T await(Future<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while packing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }
}
