package dev.patchwright.worker.solve;

import dev.patchwright.inference.edit.EditApplier;
import dev.patchwright.inference.edit.EditApplyException;
import dev.patchwright.inference.edit.EditFormatException;
import dev.patchwright.inference.edit.FileEdit;
import dev.patchwright.inference.edit.SearchReplaceFormat;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.git.GitException;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.budget.BudgetExceededException;
import dev.patchwright.worker.budget.BudgetStatus;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.SolveResult.Outcome;
import dev.patchwright.worker.solve.SolveResult.StepRun;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Solves one issue: fetch, pack, set up, then candidates until one makes the repository's tests pass.
 * Each candidate is the model's answer parsed into edits, applied to a fresh copy of the base commit,
 * committed in the mirror (never pushed here) and judged by the tests in the sandbox.
 *
 * <p>Infrastructure failures (fetch, sandbox) are thrown so the job can be retried; everything the
 * repository or the model got wrong is part of the returned {@link SolveResult}.
 */
public final class SolvePipeline {

    /** The author and committer of every patch commit. */
    public static final PersonIdent AUTHOR = new PersonIdent("patchwright[bot]", "patchwright[bot]@users.noreply.github.com");
    private static final int KEPT_OUTPUT_CHARS = 16_000;

    private final RepoMirror mirror;
    private final Sandbox sandbox;
    private final Model model;
    private final SolveSettings settings;
    private final Workspace workspace;

    public SolvePipeline(RepoMirror mirror, Sandbox sandbox, Model model, SolveSettings settings) {
        this.mirror = mirror;
        this.sandbox = sandbox;
        this.model = model;
        this.settings = settings;
        this.workspace = new Workspace(settings, sandbox);
    }

    /**
     * Runs the whole solve, without a budget.
     *
     * @throws GitException     when the repository cannot be fetched or a commit cannot be written
     * @throws SandboxException when the sandbox itself fails (not when tests fail)
     * @throws IOException      when the local work directory cannot be written
     */
    public SolveResult solve(SolveRequest request, JobRecorder recorder)
            throws GitException, SandboxException, IOException {
        return solve(request, SolveContext.of(recorder));
    }

    /**
     * Runs the whole solve, without a budget, checking {@code stop} before each candidate: when it says true (the
     * job was cancelled, the lease lost) the solve ends with {@link Outcome#STOPPED} and spends no more.
     */
    public SolveResult solve(SolveRequest request, JobRecorder recorder, BooleanSupplier stop)
            throws GitException, SandboxException, IOException {
        return solve(request, SolveContext.of(recorder).withStop(stop));
    }

    /**
     * Runs the whole solve within {@code context}'s budget: every model call and sandbox run is paid through its
     * meter, a quote is given before the first model call, and a step the budget cannot pay for is not taken (the
     * solve ends with {@link Outcome#BUDGET_EXHAUSTED} and the numbers). Candidates that earlier attempts of the
     * job recorded are not generated again.
     */
    public SolveResult solve(SolveRequest request, SolveContext context)
            throws GitException, SandboxException, IOException {
        Instant started = Instant.now();
        JobRecorder recorder = context.recorder();
        recorder.event("fetch", "fetching " + request.cloneUrl());
        ObjectId base = mirror.fetch(request.repoKey(), request.cloneUrl(), request.credentials(), request.baseBranch());
        String branch = request.baseBranch() != null ? request.baseBranch() : mirror.defaultBranch(request.repoKey());
        recorder.event("fetch", "base is " + branch + " at " + base.name());
        Progress progress = new Progress(request, branch, base, started, context);
        try (Workspace.Job job = workspace.open(request.repoKey())) {
            Path baseTree = job.dir("base");
            mirror.materialize(request.repoKey(), base, baseTree);
            RepoConfig config;
            try {
                config = request.config() != null ? request.config() : RepoConfigFile.read(baseTree);
            } catch (RepoConfigFile.Invalid e) {
                recorder.event("config", e.getMessage());
                return progress.end(Outcome.CONFIG_INVALID, e.getMessage());
            }
            progress.testCommand = config.test();
            Tokenizer tokenizer = Tokenizers.load("o200k_base");
            long window = SolvePrompt.packWindow(settings.contextTokens(), settings.maxOutputTokens(), tokenizer, request);
            String packed;
            try {
                // Over the window, one cheap call asks the model which files to open; paid like every call.
                packed = job.pack(baseTree, config, window, request.issueTitle() + "\n\n" + request.issueBody(), recorder,
                        question -> {
                            Completion answer = context.meter().complete(model, question);
                            progress.usage = progress.usage.plus(answer.usage());
                            return answer.choices().get(0);
                        });
            } catch (IllegalArgumentException e) {
                // Not even the directory tree fits what the model's window leaves for the repository.
                String reason = "the model's context window (" + settings.contextTokens() + " tokens) leaves too little "
                        + "room for this repository: " + e.getMessage();
                recorder.event("pack", reason);
                return progress.end(Outcome.MODEL_FAILED, reason);
            }
            try {
                return candidates(request, base, config, job, packed, tokenizer, progress);
            } catch (BudgetExceededException e) {
                String reason = "the budget cannot pay for the next step: " + e.getMessage();
                recorder.event("budget", reason);
                return progress.end(Outcome.BUDGET_EXHAUSTED, reason);
            }
        }
    }

    /** Setup, baseline, the quote, then candidates until one passes or the plan, the money or the time runs out. */
    private SolveResult candidates(SolveRequest request, ObjectId base, RepoConfig config, Workspace.Job job,
                                   String packed, Tokenizer tokenizer, Progress progress)
            throws GitException, SandboxException, IOException, BudgetExceededException {
        SolveContext context = progress.context;
        JobRecorder recorder = context.recorder();
        Path baseTree = job.dir("base");
        if (config.setup() != null) {
            recorder.event("setup", "running " + config.setup());
            boolean network = config.setupNetwork() && settings.allowSetupNetwork();
            Duration limit = settings.cap(config.setupTimeout());
            // The one step that may write the dependency cache.
            progress.setup = context.meter().sandbox(limit, () -> job.setup(config.setup(), baseTree, network, limit),
                    StepRun::elapsed);
            recorder.event("setup", progress.setup.description());
            if (!progress.setup.passed()) {
                return progress.end(Outcome.SETUP_FAILED,
                        "the setup command `" + config.setup() + "` failed (" + progress.setup.description() + ")");
            }
        }
        Duration testLimit = settings.cap(config.testTimeout());
        progress.baseline = sandboxed(job, config.test(), job.copy(baseTree, "baseline"), false, testLimit, context);
        recorder.event("baseline", "tests on the base commit: " + progress.baseline.description()
                + (progress.baseline.failingTests().isEmpty() ? "" : ", failing " + progress.baseline.failingTests()));

        SolvePrompt prompt = new SolvePrompt(request.repoKey(), base.name(), packed, request);
        int planned = settings.candidatesFor(config.candidates());
        Map<String, Integer> seenDiffs = new HashMap<>();
        for (CandidateRecord earlier : recorder.earlierCandidates()) {
            if ("error".equals(earlier.status())) {
                continue; // no verdict was paid for: it is tried again
            }
            progress.candidates.add(earlier);
            if (earlier.diff() != null) {
                seenDiffs.putIfAbsent(earlier.diff(), earlier.ordinal());
            }
            if ("passed".equals(earlier.status()) && earlier.answer() != null) {
                recorder.event("resume", "candidate " + earlier.ordinal() + " passed on an earlier attempt; its patch "
                        + "is rebuilt, not paid for again");
                progress.winner = earlier;
                progress.patchCommit = rebuild(request, base, earlier.answer());
                return progress.end(Outcome.SOLVED, "candidate " + earlier.ordinal() + " passed the tests");
            }
            prompt.rejected(earlier.answer(), earlier.reason(), earlier.testOutputTail());
        }
        if (!progress.candidates.isEmpty()) {
            recorder.event("resume", progress.candidates.size() + " candidate(s) recorded by earlier attempts are "
                    + "not generated again");
        }
        int remaining = planned - progress.candidates.size();
        if (remaining > 0 && context.meter().priced()) {
            ChatRequest first = chat(prompt, 1);
            long tokens = first.messages().stream().mapToLong(m -> tokenizer.count(m.content())).sum();
            Quote quote = Quote.of(context.meter(), first, tokens, remaining, testLimit);
            progress.quote = quote.text();
            recorder.event("quote", quote.text());
            context.progress().update(quote.text());
            if (!quote.affordable()) {
                return progress.end(Outcome.BUDGET_EXHAUSTED, quote.refusal());
            }
        }
        int modelFailures = 0;
        int tried = 0;
        for (int ordinal = progress.candidates.size() + 1; ordinal <= planned && progress.winner == null; ordinal++) {
            if (context.stop().getAsBoolean()) {
                recorder.event("stop", "stopped before candidate " + ordinal);
                return progress.end(Outcome.STOPPED, "stopped before candidate " + ordinal
                        + ": the job was cancelled or handed to another worker");
            }
            if (Instant.now().isAfter(context.deadline())) {
                return progress.end(Outcome.BUDGET_EXHAUSTED, "the per-issue time limit was reached before candidate "
                        + ordinal);
            }
            Instant candidateStart = Instant.now();
            Attempt attempt = new Attempt(ordinal);
            tried++;
            try {
                Completion completion = context.meter().complete(model, chat(prompt, ordinal));
                progress.usage = progress.usage.plus(completion.usage());
                attempt.model = completion.model();
                attempt.usage = completion.usage();
                attempt.answer = completion.choices().get(0);
                judge(request, base, config, job, attempt, seenDiffs, context);
            } catch (InferenceException e) {
                modelFailures++;
                attempt.verdict("error", "the model call failed: " + e.getMessage());
            } catch (EditFormatException e) {
                attempt.verdict("rejected", "the model's answer had no usable edits: " + e.getMessage());
            } catch (EditApplyException e) {
                attempt.verdict("rejected", "the edits did not apply: " + e.getMessage());
            } catch (BudgetExceededException e) {
                if (attempt.answer != null) {
                    // Paid for but not verified: kept with its answer, so a retry with more budget can test it.
                    attempt.verdict("error", "not verified: the budget cannot pay for its test run");
                    record(recorder, progress, attempt, candidateStart);
                }
                throw e;
            }
            CandidateRecord record = record(recorder, progress, attempt, candidateStart);
            if ("passed".equals(record.status())) {
                progress.winner = record;
                progress.patchCommit = attempt.commit;
            } else if (!"error".equals(record.status())) {
                prompt.rejected(attempt.answer, record.reason(), attempt.testOutput);
            }
            if (context.meter().priced()) {
                context.progress().update(progress.quote + "\n\n" + progress.spentSoFar(ordinal, planned));
            }
        }
        if (progress.winner != null) {
            return progress.end(Outcome.SOLVED, "candidate " + progress.winner.ordinal() + " passed the tests");
        }
        if (tried > 0 && modelFailures == tried) {
            return progress.end(Outcome.MODEL_FAILED, "every call to the model failed; the last: "
                    + progress.candidates.get(progress.candidates.size() - 1).reason());
        }
        return progress.end(Outcome.NO_PASSING_CANDIDATE,
                "none of the " + planned + " candidates made `" + config.test() + "` pass");
    }

    /**
     * The commit of a result an earlier attempt kept, rebuilt from its winner's answer on its base commit, so that
     * a job whose only failure was publishing publishes again without paying for anything.
     *
     * @throws GitException when the base commit cannot be fetched or the commit not written
     * @throws IOException  when the work directory cannot be written, or the answer no longer applies
     */
    public SolveResult rebuild(SolveRequest request, SolveResult stored) throws GitException, IOException {
        if (stored.winner() == null || stored.winner().answer() == null || stored.baseCommit() == null) {
            return stored;
        }
        mirror.fetch(request.repoKey(), request.cloneUrl(), request.credentials(), request.baseBranch());
        return stored.withPatchCommit(rebuild(request, stored.baseCommit(), stored.winner().answer()));
    }

    private ObjectId rebuild(SolveRequest request, ObjectId base, String answer) throws GitException, IOException {
        try (Workspace.Job job = workspace.open(request.repoKey())) {
            Path tree = job.dir("rebuilt");
            mirror.materialize(request.repoKey(), base, tree);
            List<String> changed = EditApplier.apply(tree, SearchReplaceFormat.parse(answer));
            return mirror.commit(request.repoKey(), base, tree, changed, commitMessage(request), AUTHOR);
        } catch (EditFormatException | EditApplyException e) {
            throw new IOException("the recorded answer that passed no longer applies: " + e.getMessage(), e);
        }
    }

    private ChatRequest chat(SolvePrompt prompt, int ordinal) {
        return new ChatRequest(prompt.messages(), settings.maxOutputTokens(),
                ordinal == 1 ? 0.0 : settings.temperature(), 1, null);
    }

    private StepRun sandboxed(Workspace.Job job, String command, Path tree, boolean network, Duration limit,
                              SolveContext context) throws SandboxException, BudgetExceededException {
        return context.meter().sandbox(limit, () -> job.run(command, tree, network, limit), StepRun::elapsed);
    }

    private static CandidateRecord record(JobRecorder recorder, Progress progress, Attempt attempt, Instant started) {
        CandidateRecord record = attempt.record(Duration.between(started, Instant.now()));
        recorder.candidate(record);
        progress.candidates.add(record);
        return record;
    }

    private void judge(SolveRequest request, ObjectId base, RepoConfig config, Workspace.Job job, Attempt attempt,
                       Map<String, Integer> seenDiffs, SolveContext context)
            throws EditFormatException, EditApplyException, GitException, SandboxException, IOException,
            BudgetExceededException {
        List<FileEdit> edits = SearchReplaceFormat.parse(attempt.answer);
        Path tree = job.copy(job.dir("base"), "candidate-" + attempt.ordinal);
        List<String> changed = EditApplier.apply(tree, edits);
        List<String> protectedPaths = config.allowTestChanges() ? List.of()
                : ProtectedPaths.touched(changed, job.dir("base"), config.test());
        attempt.commit = mirror.commit(request.repoKey(), base, tree, changed, commitMessage(request), AUTHOR);
        attempt.diff = mirror.diff(request.repoKey(), base, attempt.commit);
        if (attempt.diff.isBlank()) {
            attempt.verdict("rejected", "the edits changed nothing");
            return;
        }
        if (!protectedPaths.isEmpty()) {
            // Judged before the tests run: emptying a test makes them pass without fixing anything.
            attempt.verdict("rejected", "it changes " + String.join(", ", protectedPaths) + ", which only a person "
                    + "may change (existing tests, the test command's files, .github/); a repository that wants "
                    + "otherwise sets allow-test-changes: true");
            return;
        }
        Integer same = seenDiffs.putIfAbsent(attempt.diff, attempt.ordinal);
        if (same != null) {
            attempt.verdict("rejected", "the same patch as candidate " + same + ", not run again");
            return;
        }
        StepRun run = sandboxed(job, config.test(), tree, false, settings.cap(config.testTimeout()), context);
        attempt.testOutput = run.outputTail();
        attempt.failingTests = run.failingTests();
        if (run.passed()) {
            attempt.verdict("passed", "`" + config.test() + "` passed (" + run.description() + ")");
        } else if (!run.failingTests().isEmpty()) {
            attempt.verdict("rejected", "tests failed: " + String.join(", ", run.failingTests()));
        } else {
            attempt.verdict("rejected", "tests failed: " + run.description());
        }
        job.delete(tree);
    }

    private static String commitMessage(SolveRequest request) {
        String title = request.issueTitle().isBlank() ? "Fix the reported issue" : request.issueTitle().strip();
        String subject = request.issueNumber() > 0 ? "Fix #" + request.issueNumber() + ": " + title : title;
        return subject + "\n\nWritten by Patchwright and verified by the repository's tests.\n";
    }

    static String tail(String text) {
        if (text == null || text.length() <= KEPT_OUTPUT_CHARS) {
            return text;
        }
        return text.substring(text.length() - KEPT_OUTPUT_CHARS);
    }

    /** One candidate while it is being judged. */
    private static final class Attempt {
        final int ordinal;
        String model;
        Usage usage = Usage.ZERO;
        String answer;
        ObjectId commit;
        String diff;
        String testOutput;
        List<String> failingTests = List.of();
        String status;
        String reason;

        Attempt(int ordinal) {
            this.ordinal = ordinal;
        }

        void verdict(String status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        CandidateRecord record(Duration elapsed) {
            return new CandidateRecord(ordinal, status, reason, failingTests, diff, model, usage.promptTokens(),
                    usage.completionTokens(), tail(testOutput), elapsed.toMillis(), answer);
        }
    }

    /** What is known so far, turned into the result at the end. */
    private static final class Progress {
        final SolveRequest request;
        final String branch;
        final ObjectId base;
        final Instant started;
        final SolveContext context;
        final List<CandidateRecord> candidates = new ArrayList<>();
        String testCommand;
        StepRun setup;
        StepRun baseline;
        CandidateRecord winner;
        ObjectId patchCommit;
        Usage usage = Usage.ZERO;
        String quote = "";

        Progress(SolveRequest request, String branch, ObjectId base, Instant started, SolveContext context) {
            this.request = request;
            this.branch = branch;
            this.base = base;
            this.started = started;
            this.context = context;
        }

        /** One line on the money after candidate {@code ordinal} of {@code planned}. */
        String spentSoFar(int ordinal, int planned) {
            BudgetStatus status = context.meter().guard().status();
            boolean limited = !status.limits().perIssue().equals(Limits.unlimited().perIssue());
            return String.format(Locale.ROOT, "Candidate %d of %d done; spent so far %s%s.", ordinal, planned,
                    status.jobSpent(), limited ? " of this issue's " + status.limits().perIssue() : "");
        }

        SolveResult end(Outcome outcome, String reason) {
            BudgetStatus status = context.meter().guard().status();
            Limits none = Limits.unlimited();
            boolean issueLimited = !status.limits().perIssue().equals(none.perIssue());
            boolean monthLimited = !status.limits().repositoryMonthly().equals(none.repositoryMonthly());
            SolveResult.Spend spend = !context.meter().priced() ? SolveResult.Spend.NONE
                    : new SolveResult.Spend(status.jobSpent().toString(),
                    issueLimited ? status.limits().perIssue().toString() : "",
                    monthLimited ? status.repositoryLeft().toString() : "",
                    monthLimited ? status.limits().repositoryMonthly().toString() : "", quote);
            SolveResult result = new SolveResult(outcome, reason, branch, base, testCommand, setup, baseline,
                    candidates, winner, patchCommit, usage, Duration.between(started, Instant.now()), spend);
            if (outcome != Outcome.STOPPED) {
                context.recorder().result(result);
            }
            return result;
        }
    }
}
