package dev.patchwright.worker.solve;

import dev.patchwright.inference.edit.EditApplier;
import dev.patchwright.inference.edit.EditApplyException;
import dev.patchwright.inference.edit.FileEdit;
import dev.patchwright.worker.budget.BudgetExceededException;
import dev.patchwright.worker.config.AcceptRule;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.CandidateRecord.Evidence;
import dev.patchwright.worker.solve.SolveResult.StepRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs one candidate's tests in the sandbox and says what they show. A candidate is judged by up to three runs, each
 * on a copy of the baseline's already-built tree, so each rebuilds only what the patch changed:
 * <ol>
 * <li>the whole patch: do the tests pass, and which fail;</li>
 * <li>only its test changes, on the base code: its reproduction tests must fail there, or they show nothing;</li>
 * <li>only its code changes, with the base commit's own tests, when it touched an existing test file: nothing that
 * passed on the base commit may fail (so a weakened test cannot make a patch look good).</li>
 * </ol>
 * The acceptance rule ({@link AcceptRule}) then decides: by default a test must go from failing to passing, the
 * candidate's own or one that already failed on the base commit, and nothing that passed may break.
 */
final class CandidateJudge {

    /** A test name standing for the whole test command, when the runner's output names no test. */
    static final String WHOLE_SUITE = "the test command as a whole";

    private final Workspace.Job job;
    private final RepoConfig config;
    private final StepRun baseline;
    private final Path built;
    private final Duration testLimit;
    private final SolveContext context;

    CandidateJudge(Workspace.Job job, RepoConfig config, StepRun baseline, Path built, Duration testLimit,
                   SolveContext context) {
        this.job = job;
        this.config = config;
        this.baseline = baseline;
        this.built = built;
        this.testLimit = testLimit;
        this.context = context;
    }

    /**
     * A candidate ready to run: its whole patch applied in {@code tree}.
     *
     * @param ordinal              its number in the job
     * @param tree                 a copy of the built tree with every edit applied
     * @param sourceEdits          its edits to code that is not a test
     * @param testEdits            its edits to test files (new ones, or additions to existing ones)
     * @param extendsExistingTests whether it adds to a test file the base commit has
     */
    record Prepared(int ordinal, Path tree, List<FileEdit> sourceEdits, List<FileEdit> testEdits,
                    boolean extendsExistingTests) {
    }

    /**
     * A verdict: {@code passed} when the acceptance rule is met, else {@code rejected} with the reason.
     *
     * @param status   {@code passed} or {@code rejected}
     * @param reason   a sentence a maintainer (and the next round's model) can act on
     * @param full     the run of the whole patch
     * @param evidence what the runs showed
     */
    record Verdict(String status, String reason, StepRun full, Evidence evidence) {
    }

    /** Runs the candidate's tests and judges it; its trees are removed afterwards. */
    Verdict judge(Prepared candidate) throws SandboxException, BudgetExceededException, IOException {
        StepRun full;
        StepRun reproduction = null;
        StepRun codeOnly = null;
        try {
            full = run(candidate.tree());
        } finally {
            job.delete(candidate.tree());
        }
        if (full.broken() == null && !candidate.testEdits().isEmpty() && !candidate.sourceEdits().isEmpty()) {
            reproduction = runWith(candidate.ordinal() + "-tests-only", candidate.testEdits());
        }
        if (full.broken() == null && candidate.extendsExistingTests() && !candidate.sourceEdits().isEmpty()) {
            codeOnly = runWith(candidate.ordinal() + "-code-only", candidate.sourceEdits());
        }
        return verdict(candidate, full, reproduction, codeOnly);
    }

    /**
     * Whether the code of one candidate ({@code sourceEdits}) passes another's reproduction tests ({@code testEdits}):
     * run together on the built tree, no test fails that did not fail on the base commit.
     */
    boolean supports(String name, List<FileEdit> sourceEdits, List<FileEdit> testEdits)
            throws SandboxException, BudgetExceededException, IOException {
        List<FileEdit> together = new ArrayList<>(sourceEdits);
        together.addAll(testEdits);
        StepRun run;
        try {
            run = runWith(name, together);
        } catch (IOException e) {
            return false; // the other's tests do not apply on top of this code: no vote
        }
        if (run.broken() != null) {
            return false;
        }
        Set<String> failedBefore = new LinkedHashSet<>(baseline.failingTests());
        return run.passed() || !run.failingTests().isEmpty() && failedBefore.containsAll(run.failingTests());
    }

    private StepRun runWith(String name, List<FileEdit> edits) throws SandboxException, BudgetExceededException,
            IOException {
        Path tree = job.copy(built, "candidate-" + name);
        try {
            applyNewer(tree, edits, built);
            return run(tree);
        } catch (EditApplyException e) {
            // They applied together with the rest a moment ago, to the same files.
            throw new IOException("a part of the candidate's edits no longer applies on its own: " + e.getMessage(), e);
        } finally {
            job.delete(tree);
        }
    }

    /**
     * Applies {@code edits} to {@code tree}, a copy of {@code reference} that kept its files' times, and dates every
     * file written after its original by at least a second: builds that compare times (make, Maven's incremental
     * compiler, Python's bytecode cache, which checks the source's time in whole seconds and its size) must see the
     * change even when it came within the second the base commit was written out.
     *
     * @return the paths written
     */
    static List<String> applyNewer(Path tree, List<FileEdit> edits, Path reference) throws EditApplyException,
            IOException {
        List<String> changed = EditApplier.apply(tree, edits);
        long now = System.currentTimeMillis();
        for (String path : changed) {
            Path file = tree.resolve(path);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path original = reference.resolve(path);
            long before = Files.isRegularFile(original, LinkOption.NOFOLLOW_LINKS)
                    ? Files.getLastModifiedTime(original, LinkOption.NOFOLLOW_LINKS).toMillis() : 0;
            long seconds = Math.max(now, before + 1000) / 1000 + 1;
            Files.setLastModifiedTime(file, FileTime.fromMillis(seconds * 1000));
        }
        return changed;
    }

    private StepRun run(Path tree) throws SandboxException, BudgetExceededException {
        return context.meter().sandbox(testLimit, () -> job.run(config.test(), tree, false, testLimit), StepRun::elapsed);
    }

    private Verdict verdict(Prepared candidate, StepRun full, StepRun reproductionRun, StepRun codeOnly) {
        Set<String> failedBefore = new LinkedHashSet<>(baseline.failingTests());
        if (full.broken() != null) {
            return new Verdict("rejected", "with the patch, " + full.broken(), full, Evidence.NONE);
        }
        if (candidate.sourceEdits().isEmpty()) {
            return new Verdict("rejected", "it changes only tests, so it fixes nothing", full, Evidence.NONE);
        }
        StepRun regressionRun = codeOnly != null ? codeOnly : full;
        if (regressionRun.broken() != null) {
            return new Verdict("rejected", "without its test changes, with the base commit's own tests, "
                    + regressionRun.broken(), full, Evidence.NONE);
        }
        List<String> regressions = newFailures(regressionRun, failedBefore);
        List<String> fixed = new ArrayList<>();
        if (!baseline.passed()) {
            if (baseline.failingTests().isEmpty()) {
                if (full.passed()) {
                    fixed.add(WHOLE_SUITE);
                }
            } else {
                for (String test : baseline.failingTests()) {
                    if (full.passed() || !full.failingTests().isEmpty() && !full.failingTests().contains(test)) {
                        fixed.add(test);
                    }
                }
            }
        }
        List<String> reproduction = new ArrayList<>();
        String reproductionNote = candidate.testEdits().isEmpty() ? "it adds no test"
                : "its test passes on the base code too, so it does not show the issue";
        String reproductionHow = "";
        if (reproductionRun != null && !reproductionRun.passed()) {
            if (reproductionRun.broken() != null || reproductionRun.failingTests().isEmpty()) {
                reproductionHow = reproductionRun.broken() != null
                        ? " (on the base code " + reproductionRun.broken() + ")"
                        : " (on the base code the tests fail, " + reproductionRun.description() + ", naming no test)";
                // Its tests do not even build on the base code (they call what the fix adds): they fail there.
                for (FileEdit edit : candidate.testEdits()) {
                    if (!reproduction.contains(edit.path())) {
                        reproduction.add(edit.path());
                    }
                }
            } else {
                for (String test : reproductionRun.failingTests()) {
                    if (!failedBefore.contains(test) && !full.failingTests().contains(test)) {
                        reproduction.add(test);
                    }
                }
            }
        }
        List<String> stillFailing = newFailures(full, failedBefore);
        stillFailing.removeAll(regressions);
        Evidence evidence = new Evidence(1, union(fixed, reproduction), regressions, reproduction, List.of());
        if (!regressions.isEmpty()) {
            return new Verdict("rejected", "it breaks tests that passed on the base commit: "
                    + String.join(", ", regressions), full, evidence);
        }
        if (!stillFailing.isEmpty()) {
            return new Verdict("rejected", "tests fail with the patch: " + String.join(", ", stillFailing), full,
                    evidence);
        }
        if (config.accept() == AcceptRule.TESTS_PASS) {
            return full.passed()
                    ? new Verdict("passed", "`" + config.test() + "` passes (" + full.description()
                    + ") and nothing that passed on the base commit fails", full, evidence)
                    : new Verdict("rejected", "tests failed: " + full.description(), full, evidence);
        }
        if (evidence.fixed().isEmpty()) {
            return new Verdict("rejected", "no test shows the issue fixed: " + reproductionNote
                    + (baseline.passed() ? ", and every test already passed on the base commit"
                    : baseline.failingTests().isEmpty() ? ", and the tests still fail as they did on the base commit"
                    : ", and none of the tests that failed on the base commit passes now ("
                    + String.join(", ", baseline.failingTests().subList(0, Math.min(5, baseline.failingTests().size())))
                    + (baseline.failingTests().size() > 5 ? ", …" : "") + ")"), full, evidence);
        }
        StringBuilder reason = new StringBuilder();
        if (!reproduction.isEmpty()) {
            boolean one = reproduction.size() == 1;
            reason.append(one ? "its test " : "its tests ").append(String.join(", ", reproduction))
                    .append(one ? " fails" : " fail").append(" on the base code").append(reproductionHow)
                    .append(one ? " and passes" : " and pass").append(" with the patch");
        }
        List<String> fixedBefore = new ArrayList<>(fixed);
        fixedBefore.removeAll(reproduction);
        if (!fixedBefore.isEmpty()) {
            reason.append(reason.length() == 0 ? "" : "; ").append(String.join(", ", fixedBefore))
                    .append(fixedBefore.size() == 1 ? " fails" : " fail").append(" on the base commit and ")
                    .append(fixedBefore.size() == 1 ? "passes" : "pass").append(" with the patch");
        }
        reason.append("; nothing that passed on the base commit fails");
        return new Verdict("passed", reason.toString(), full, evidence);
    }

    /** Tests failing in {@code run} that did not fail on the base commit (the whole suite, when it names none). */
    private List<String> newFailures(StepRun run, Set<String> failedBefore) {
        List<String> failures = new ArrayList<>();
        for (String test : run.failingTests()) {
            if (!failedBefore.contains(test)) {
                failures.add(test);
            }
        }
        if (!run.passed() && run.failingTests().isEmpty() && baseline.passed()) {
            failures.add(WHOLE_SUITE + " (" + run.description() + ")");
        }
        return failures;
    }

    private static List<String> union(List<String> a, List<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return new ArrayList<>(all);
    }
}
