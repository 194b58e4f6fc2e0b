package dev.patchwright.worker.solve;

import dev.patchwright.inference.model.Model;
import dev.patchwright.worker.git.GitException;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.SolveResult.StepRun;
import org.eclipse.jgit.lib.ObjectId;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replays one past fix ({@link FixMiner.FixCase}): the normal search runs on the fix's parent with the linked issue
 * or the commit message as the issue ({@link LinkedIssue}), never seeing the fix's tests; its chosen patch is then judged by them. The judged tree is
 * the patch with every test file as the fix commit has it, so a patch that changed or weakened tests is judged by
 * the real ones.
 */
public final class FixReplay {

    private final RepoMirror minedFrom;
    private final String repoKey;
    private final SolvePipeline pipeline;
    private final RepoMirror pipelineMirror;
    private final Workspace workspace;
    private final SolveSettings settings;

    /**
     * @param minedFrom the mirror the miner fetched into: the replay fetches from it
     * @param repoKey   the repository's key in that mirror
     * @param mirrors   where the replay keeps its own mirror
     */
    public FixReplay(RepoMirror minedFrom, String repoKey, Path mirrors, Sandbox sandbox, Model model,
                     SolveSettings settings) {
        this.minedFrom = minedFrom;
        this.repoKey = repoKey;
        this.pipelineMirror = new RepoMirror(mirrors);
        this.pipeline = new SolvePipeline(pipelineMirror, sandbox, model, settings);
        this.workspace = new Workspace(settings, sandbox);
        this.settings = settings;
    }

    /**
     * How a replay ended.
     *
     * @param fix        the case
     * @param resolved   whether the chosen patch makes every FAIL_TO_PASS test pass and breaks nothing that passed
     * @param verdict    a sentence: why resolved or not
     * @param solve      the search's own result
     * @param stillFailing tests that failed when the chosen patch was judged
     */
    public record Outcome(FixMiner.FixCase fix, boolean resolved, String verdict, SolveResult solve,
                          List<String> stillFailing) {
    }

    /** Runs the search on the fix's parent with the commit message as the issue, then judges its patch. */
    public Outcome replay(FixMiner.FixCase fix, SolveContext context) throws GitException, SandboxException,
            IOException {
        return replay(fix, LinkedIssue.commitMessage(fix.message(), null), context);
    }

    /** Runs the search on the fix's parent with {@code issue} as the issue, then judges its patch with the fix's tests. */
    public Outcome replay(FixMiner.FixCase fix, LinkedIssue.IssueText issue, SolveContext context)
            throws GitException, SandboxException, IOException {
        String branch = "patchwright-backtest/" + fix.commit().substring(0, 12);
        minedFrom.pinBranch(repoKey, branch, ObjectId.fromString(fix.parent()));
        SolveRequest request = new SolveRequest(repoKey, minedFrom.directory(repoKey).toUri(), null, branch, 0,
                issue.title(), issue.body(), null);
        SolveResult result = pipeline.solve(request, context);
        if (result.patchCommit() == null) {
            return new Outcome(fix, false, "no patch was chosen: " + result.reason(), result, List.of());
        }
        try (Workspace.Job job = workspace.open(repoKey)) {
            Path judged = job.dir("judged");
            pipelineMirror.materialize(repoKey, result.patchCommit(), judged);
            Path fixed = job.dir("fix");
            minedFrom.materialize(repoKey, ObjectId.fromString(fix.commit()), fixed);
            withTestsOf(fixed, judged);
            StepRun run = job.run(fix.testCommand(), judged, false, settings.cap(java.time.Duration.ofMinutes(10)));
            return judge(fix, result, run);
        }
    }

    private static Outcome judge(FixMiner.FixCase fix, SolveResult result, StepRun run) {
        if (run.broken() != null) {
            return new Outcome(fix, false, "with the fix's tests the patch " + run.broken(), result, List.of());
        }
        List<String> failing = run.failingTests();
        Set<String> allowed = new LinkedHashSet<>(fix.failingAtFix());
        List<String> unresolved = new ArrayList<>();
        for (String test : fix.failToPass()) {
            if (test.equals(CandidateJudge.WHOLE_SUITE) ? !run.passed() : failing.contains(test)
                    || !run.passed() && failing.isEmpty()) {
                unresolved.add(test);
            }
        }
        List<String> broken = failing.stream().filter(t -> !allowed.contains(t) && !fix.failToPass().contains(t))
                .toList();
        if (!unresolved.isEmpty()) {
            return new Outcome(fix, false, "the fix's tests still fail with the patch: " + String.join(", ", unresolved),
                    result, failing);
        }
        if (!broken.isEmpty()) {
            return new Outcome(fix, false, "the patch breaks tests that pass on the fix commit: "
                    + String.join(", ", broken), result, failing);
        }
        return new Outcome(fix, true, "every FAIL_TO_PASS test passes (" + String.join(", ", fix.failToPass())
                + ") and nothing that passes on the fix commit fails", result, failing);
    }

    /** Makes every test file of {@code tree} what it is in {@code fixed}: added, replaced or removed. */
    private static void withTestsOf(Path fixed, Path tree) throws IOException {
        Set<String> fixedTests = tests(fixed);
        for (String test : tests(tree)) {
            if (!fixedTests.contains(test)) {
                Files.delete(tree.resolve(test));
            }
        }
        for (String test : fixedTests) {
            Path to = tree.resolve(test);
            Files.createDirectories(to.getParent());
            Files.copy(fixed.resolve(test), to, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static Set<String> tests(Path root) throws IOException {
        Set<String> tests = new LinkedHashSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String path = root.relativize(file).toString().replace('\\', '/');
                if (attrs.isRegularFile() && ProtectedPaths.isTest(path)) {
                    tests.add(path);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return tests;
    }
}
