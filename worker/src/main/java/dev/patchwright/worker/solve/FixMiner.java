package dev.patchwright.worker.solve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.git.CommitChange;
import dev.patchwright.worker.git.GitException;
import dev.patchwright.worker.git.RepoKey;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.SolveResult.StepRun;
import org.eclipse.jgit.lib.ObjectId;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds a repository's past bug fixes that came with a test, for the backtest: commits that change code that is not
 * a test and add or change tests, where some of those tests fail on the parent with only the test changes applied
 * and pass on the commit (FAIL_TO_PASS, as SWE-bench calls it). Every run is in the sandbox; the fix commit's tests
 * run twice, and a commit whose results differ is flaky. What each commit turned out to be is cached by commit, so
 * a second mining starts at once.
 */
public final class FixMiner {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final String SETUP_FAILED = "its setup `";

    private final RepoMirror mirror;
    private final SolveSettings settings;
    private final Workspace workspace;
    private final Path cacheRoot;

    /**
     * @param cacheRoot where mined commits are remembered, one file per commit under the repository's folder
     */
    public FixMiner(RepoMirror mirror, Sandbox sandbox, SolveSettings settings, Path cacheRoot) {
        this.mirror = mirror;
        this.settings = settings;
        this.workspace = new Workspace(settings, sandbox);
        this.cacheRoot = cacheRoot;
    }

    /**
     * A past fix to replay.
     *
     * @param commit       the fix commit
     * @param parent       its parent, where the replay starts
     * @param title        the commit message's first line
     * @param message      the whole commit message: the issue when no linked issue is known
     * @param testFiles    the test files the fix added or changed (hidden from the model)
     * @param sourceFiles  the other files it changed
     * @param failToPass   tests that fail on the parent with the fix's tests and pass on the fix
     * @param failingAtFix tests that fail on the fix commit itself (not held against a replay)
     * @param testCommand  the command that ran them
     */
    public record FixCase(String commit, String parent, String title, String message, List<String> testFiles,
                          List<String> sourceFiles, List<String> failToPass, List<String> failingAtFix,
                          String testCommand) {
    }

    /**
     * What mining made of one commit: a case, or the reason it is none.
     *
     * @param commit the commit
     * @param title  its message's first line
     * @param fix    the case, or null when skipped
     * @param skip   why it is not a case, or null
     */
    public record Mined(String commit, String title, FixCase fix, String skip) {
        static Mined skipped(CommitChange change, String reason) {
            return new Mined(change.commit().name(), change.title(), null, reason);
        }
    }

    /**
     * Mines the history of {@code branch} (the default branch when null) of the repository at {@code url}.
     *
     * @param since    the oldest commit time to look at, or null for all
     * @param limit    the most fix cases to find
     * @param progress told one line per commit looked at
     * @return what each commit that changed both code and tests turned out to be, newest first
     */
    public List<Mined> mine(String repoKey, URI url, String branch, Instant since, int limit, Consumer<String> progress)
            throws GitException, SandboxException, IOException {
        ObjectId head = mirror.fetch(repoKey, url, null, branch);
        Path cache = Files.createDirectories(cacheRoot.resolve(RepoKey.parse(repoKey).flatName()));
        List<Mined> mined = new ArrayList<>();
        int cases = 0;
        boolean setupDone = false;
        for (CommitChange change : mirror.history(repoKey, head, since, Integer.MAX_VALUE)) {
            if (cases >= limit) {
                break;
            }
            List<String> tests = change.paths().stream()
                    .filter(p -> ProtectedPaths.isTest(p) && !change.deleted().contains(p)).toList();
            List<String> sources = change.paths().stream().filter(p -> !ProtectedPaths.isTest(p)
                    && !p.startsWith(".github/") && !documentation(p)).toList();
            if (tests.isEmpty() || sources.isEmpty()) {
                continue; // not a fix with a test: not worth a line
            }
            Path cached = cache.resolve(change.commit().name() + ".json");
            Mined result;
            if (Files.isRegularFile(cached, LinkOption.NOFOLLOW_LINKS)) {
                result = JSON.readValue(cached.toFile(), Mined.class);
                progress.accept(change.commit().abbreviate(10).name() + " (cached) " + describe(result));
            } else {
                try (Workspace.Job job = workspace.open(repoKey)) {
                    result = examine(repoKey, change, tests, sources, job, !setupDone);
                }
                // A setup that failed is this commit's failure: the next commit examined runs it again.
                setupDone = setupDone || result.skip() == null || !result.skip().startsWith(SETUP_FAILED);
                JSON.writeValue(cached.toFile(), result);
                progress.accept(change.commit().abbreviate(10).name() + " " + describe(result));
            }
            mined.add(result);
            if (result.fix() != null) {
                cases++;
            }
        }
        return mined;
    }

    private static String describe(Mined mined) {
        return mined.fix() != null ? "a case: " + String.join(", ", mined.fix().failToPass()) + " fail to pass"
                : "skipped: " + mined.skip();
    }

    /** Runs one commit's tests on the parent (with the commit's test changes) and, twice, on the commit. */
    private Mined examine(String repoKey, CommitChange change, List<String> tests, List<String> sources,
                          Workspace.Job job, boolean setup) throws GitException, SandboxException, IOException {
        Path fixed = job.dir("fix");
        mirror.materialize(repoKey, change.commit(), fixed);
        RepoConfig config;
        try {
            config = RepoConfigFile.read(fixed);
        } catch (RepoConfigFile.Invalid e) {
            return Mined.skipped(change, "its configuration is invalid: " + e.getMessage());
        }
        if (config.test() == null) {
            Optional<BuildDetection.Detected> detected = BuildDetection.detect(fixed);
            if (detected.isEmpty()) {
                return Mined.skipped(change, "no test command: none configured and no known build detected");
            }
            config = config.withCommands(detected.get().setup(), detected.get().test());
        }
        Duration limit = settings.cap(config.testTimeout());
        if (setup && config.setup() != null) {
            // The cache is the repository's: filled once, online, then every run is offline.
            StepRun run = job.setup(config.setup(), job.copy(fixed, "setup"), config.setupNetwork()
                    && settings.allowSetupNetwork(), settings.cap(config.setupTimeout()));
            if (!run.passed()) {
                return Mined.skipped(change, SETUP_FAILED + config.setup() + "` failed: " + run.description());
            }
        }
        Path broken = job.dir("parent");
        mirror.materialize(repoKey, change.parent(), broken);
        for (String test : change.paths().stream().filter(ProtectedPaths::isTest).toList()) {
            Path from = fixed.resolve(test);
            Path to = broken.resolve(test);
            if (Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(to.getParent());
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            } else {
                Files.deleteIfExists(to);
            }
        }
        // Both runs in one copy, as a developer reruns a suite: a test that depends on what an earlier run left
        // behind, on time or on chance shows itself here.
        Path rerun = job.copy(fixed, "fix-runs");
        StepRun first = job.run(config.test(), rerun, false, limit);
        if (first.broken() != null) {
            return Mined.skipped(change, "the fix commit does not build or run its tests: " + first.broken());
        }
        StepRun second = job.run(config.test(), rerun, false, limit);
        if (first.passed() != second.passed()
                || !new LinkedHashSet<>(first.failingTests()).equals(new LinkedHashSet<>(second.failingTests()))) {
            return Mined.skipped(change, "flaky: its tests gave different results in two runs of the fix commit ("
                    + summary(first) + ", then " + summary(second) + ")");
        }
        StepRun before = job.run(config.test(), broken, false, limit);
        List<String> failToPass = new ArrayList<>();
        if (before.broken() != null) {
            // The new tests call what the fix added, so they do not even build on the parent: they fail there.
            failToPass.addAll(tests.stream().filter(t -> Files.isRegularFile(fixed.resolve(t), LinkOption.NOFOLLOW_LINKS))
                    .toList());
        } else if (!before.passed()) {
            Set<String> stillFailing = new LinkedHashSet<>(first.failingTests());
            if (before.failingTests().isEmpty()) {
                if (first.passed()) {
                    failToPass.add(CandidateJudge.WHOLE_SUITE);
                }
            } else {
                before.failingTests().stream().filter(t -> !stillFailing.contains(t)).forEach(failToPass::add);
            }
        }
        if (failToPass.isEmpty()) {
            return Mined.skipped(change, before.passed() ? "its tests pass on the parent too, so they do not show the bug"
                    : "the tests that fail on the parent fail on the fix commit too");
        }
        return new Mined(change.commit().name(), change.title(), new FixCase(change.commit().name(),
                change.parent().name(), change.title(), change.message(), tests, sources, failToPass,
                first.failingTests(), config.test()), null);
    }

    private static String summary(StepRun run) {
        return run.passed() ? "passed" : "failing " + (run.failingTests().isEmpty() ? run.description()
                : String.join(", ", run.failingTests()));
    }

    private static boolean documentation(String path) {
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".md") || lower.endsWith(".txt") || lower.endsWith(".rst") || lower.startsWith("docs/");
    }
}
