package dev.patchwright.worker.solve;

import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.git.RepoKey;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.worker.budget.BudgetExceededException;
import dev.patchwright.worker.pack.ContextPacker;
import dev.patchwright.worker.pack.Localization;
import dev.patchwright.worker.pack.PackOptions;
import dev.patchwright.worker.pack.PackSource;
import dev.patchwright.worker.pack.PackStats;
import dev.patchwright.worker.pack.SecretScanner;
import dev.patchwright.inference.tokenizer.Tokenizers;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.sandbox.SandboxResult;
import dev.patchwright.worker.sandbox.SandboxSpec;
import dev.patchwright.worker.verify.BrokenRun;
import dev.patchwright.worker.verify.FailingTests;
import dev.patchwright.worker.solve.SolveResult.StepRun;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The local side of a job: its directories, copies of the base tree for candidates, sandboxed
 * commands and the packed context. A job's directory is removed when the job closes, whatever happened.
 */
final class Workspace {

    /** Asks the model the localisation question, paid through the job's budget; answers the first choice. */
    @FunctionalInterface
    interface Localiser {
        String ask(ChatRequest request) throws InferenceException, BudgetExceededException;
    }

    private static final Logger LOG = Logger.getLogger(Workspace.class);

    private final SolveSettings settings;
    private final Sandbox sandbox;

    Workspace(SolveSettings settings, Sandbox sandbox) {
        this.settings = settings;
        this.sandbox = sandbox;
    }

    /** Job directories in use by jobs of this process, which {@link WorkSweep} leaves alone. */
    static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    Job open(String repoKey) throws IOException {
        Path dir = Files.createTempDirectory(traversable(owned(settings.workRoot())), "job-");
        LIVE.add(dir);
        traversable(dir);
        Path repos = traversable(traversable(owned(settings.cacheRoot())).resolve("repos"));
        Path cache = traversable(repos.resolve(RepoKey.parse(repoKey).flatName()));
        // The cache's time is when a job last used it: the sweep removes caches unused for long.
        Files.setLastModifiedTime(cache, FileTime.from(Instant.now()));
        return new Job(dir, cache);
    }

    /**
     * Refuses a root directory that another user owns (someone could have made {@code /var/tmp/...}
     * first, then swap what is inside it for links while the bot works there as root).
     */
    private static Path owned(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (!Files.getFileStore(dir).supportsFileAttributeView("unix")) {
            return dir;
        }
        Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (!owner.equals(self) || Files.isSymbolicLink(dir)) {
            throw new IOException("the work directory " + dir + " belongs to uid " + owner + ", not to this process (uid "
                    + self + "); remove it or choose another with PATCHWRIGHT_WORK_DIR");
        }
        return dir;
    }

    /**
     * Creates the directory and lets other users pass through it (mode 711, no listing): the sandbox
     * runs as another user and bwrap must reach the directories it binds.
     */
    private static Path traversable(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        }
        return dir;
    }

    final class Job implements AutoCloseable {
        private final Path root;
        private final Path cache;

        private Job(Path root, Path cache) {
            this.root = root;
            this.cache = cache;
        }

        Path dir(String name) {
            return root.resolve(name);
        }

        /**
         * Packs the tree into the text the model reads first, within {@code window} tokens: over it,
         * the files most relevant to {@code task} stay whole and the rest are listed by their declarations.
         * When the tree does not fit and a {@code localiser} is given, it is first asked which files to
         * open ({@link Localization}); those are packed whole, with their tests, before what the ranking
         * chooses. When it fails or answers nothing usable, the ranking alone chooses, and the event says so.
         *
         * @throws IllegalArgumentException when the window cannot hold even the directory tree
         */
        String pack(Path tree, RepoConfig config, long window, String task, JobRecorder recorder, Localiser localiser)
                throws IOException {
            if (window < 1) {
                throw new IllegalArgumentException("there is no room left for it (" + window + " tokens)");
            }
            // Token counts are kept beside the dependency caches, outside any one repository's (which the sandbox sees).
            PackOptions options = PackOptions.defaults(Tokenizers.load("o200k_base"))
                    .withExtraIgnores(config.pathsIgnore()).withCacheDir(settings.cacheRoot().resolve(".token-counts"))
                    .withMaxTokens(window, task);
            if (localiser != null) {
                options = options.withFocus(localise(tree, options, window, task, recorder, localiser));
            }
            StringWriter out = new StringWriter();
            PackStats stats = new ContextPacker(options).pack(tree, out);
            String cut = stats.mapped().isEmpty() && stats.omitted().isEmpty() ? ""
                    : "; to fit " + window + " tokens, " + stats.mapped().size() + " files listed in the map (declarations or path) only, "
                    + stats.omitted().size() + " left out";
            recorder.event("pack", stats.files().size() + " files, " + stats.bytes() + " bytes, "
                    + stats.tokens() + " o200k_base tokens; " + stats.skipped().size() + " skipped, "
                    + stats.redactions().size() + " credentials redacted" + cut);
            return out.toString();
        }

        /** The files the model chose to open, when the tree does not fit {@code window}; else none. */
        private List<String> localise(Path tree, PackOptions options, long window, String task, JobRecorder recorder,
                                      Localiser localiser) throws IOException {
            ContextPacker.Survey survey;
            try (PackSource source = PackSource.worktree(tree)) {
                survey = new ContextPacker(options).survey(source, Math.min(Localization.MAP_TOKENS, window));
            }
            if (survey.tokens() <= window) {
                return List.of();
            }
            String answer;
            try {
                answer = localiser.ask(Localization.request("the repository", survey.map(), task));
            } catch (InferenceException e) {
                recorder.event("localise", "asking the model which files to open failed (" + e.getMessage()
                        + "); the ranking alone chooses the files packed whole");
                return List.of();
            } catch (BudgetExceededException e) {
                recorder.event("localise", "the budget cannot pay for asking the model which files to open ("
                        + e.getMessage() + "); the ranking alone chooses the files packed whole");
                return List.of();
            }
            Localization.Answer parsed = Localization.parse(answer, survey.ranked());
            String dropped = parsed.dropped().isEmpty() ? "" : "; dropped, not files of the tree: "
                    + String.join(", ", parsed.dropped());
            if (parsed.chosen().isEmpty()) {
                recorder.event("localise", "asked the model which files to open; its answer named none of the tree's "
                        + survey.ranked().size() + " files" + dropped + "; the ranking alone chooses the files packed whole");
            } else {
                recorder.event("localise", "asked the model which files to open (the map showed " + survey.mapped()
                        + " of " + survey.ranked().size() + " files); it chose " + String.join(", ", parsed.chosen())
                        + dropped);
            }
            return parsed.chosen();
        }

        /** The repository's dependency cache directory. */
        Path cache() {
            return cache;
        }

        /**
         * Runs the repository's setup command in the sandbox over {@code tree}: the one step that may
         * write the dependency cache.
         */
        StepRun setup(String command, Path tree, boolean network, Duration timeout) throws SandboxException {
            return run(SandboxSpec.builder(command, tree).cacheDir(cache).network(network)
                    .diskQuota(cache, settings.cacheDiskBytes(), "the repository's dependency cache"), timeout);
        }

        /**
         * Runs a test command in the sandbox over {@code tree}, with the dependency cache read-only:
         * code the cache's later users must not trust (the model's, or tests that run it) cannot
         * plant anything in it for the next job.
         */
        StepRun run(String command, Path tree, boolean network, Duration timeout) throws SandboxException {
            return run(SandboxSpec.builder(command, tree).readOnlyCacheDir(cache).network(network), timeout);
        }

        private StepRun run(SandboxSpec.Builder builder, Duration timeout) throws SandboxException {
            SandboxSpec spec = builder.timeout(timeout).memoryLimitBytes(settings.memoryLimitBytes())
                    .diskQuota(root, settings.jobDiskBytes(), "the job's worktrees")
                    .outputLimitBytes(settings.outputLimitBytes()).build();
            String command = spec.command();
            SandboxResult result = sandbox.run(spec);
            // A test may print a credential the repository assembles at run time: what is kept of the
            // output goes to the model, the job's records and the pull request, so it is redacted here.
            String output = SecretScanner.redact(result.output());
            List<String> failing = FailingTests.extract(output);
            return new StepRun(command, result.describe(), result.succeeded(), failing, SolvePipeline.tail(output),
                    result.elapsed(), BrokenRun.reason(result.exitCode(), result.timedOut() || result.memoryLimitHit(),
                    result.describe(), output, failing));
        }

        /**
         * Copies a tree without following links, so a candidate never starts from another's leftovers.
         * Files are copied sparse: a hole {@code setup:} left (an 8 GB file from {@code truncate}) stays a hole.
         * Only directories, regular files and symbolic links are copied: a FIFO, socket or device node
         * left by {@code setup:} is left out, since opening a FIFO to copy it blocks until someone
         * writes to it, outside every time limit.
         */
        Path copy(Path from, String name) throws IOException {
            Path to = root.resolve(name);
            int[] leftOut = {0};
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    // The walk does not follow links, so attrs are the entry's own (lstat).
                    Path target = to.resolve(from.relativize(file).toString());
                    if (attrs.isRegularFile()) {
                        SparseCopy.copy(file, target);
                    } else if (attrs.isSymbolicLink()) {
                        Files.copy(file, target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                    } else {
                        leftOut[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            if (leftOut[0] > 0) {
                LOG.infof("left %d FIFOs, sockets or device nodes out of the copy %s", leftOut[0], to);
            }
            return to;
        }

        void delete(Path tree) throws IOException {
            deleteTree(tree);
        }

        @Override
        public void close() throws IOException {
            try {
                delete(root);
            } finally {
                LIVE.remove(root);
            }
        }
    }

    /** Removes a directory and everything in it, without following links; nothing when it is absent. */
    static void deleteTree(Path tree) throws IOException {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
