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
import dev.patchwright.inference.tokenizer.Tokenizers;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.git.GitException;
import dev.patchwright.worker.git.RepoMirror;
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
     * Runs the whole solve.
     *
     * @throws GitException     when the repository cannot be fetched or a commit cannot be written
     * @throws SandboxException when the sandbox itself fails (not when tests fail)
     * @throws IOException      when the local work directory cannot be written
     */
    public SolveResult solve(SolveRequest request, JobRecorder recorder)
            throws GitException, SandboxException, IOException {
        return solve(request, recorder, () -> false);
    }

    /**
     * Runs the whole solve, checking {@code stop} before each candidate: when it says true (the job
     * was cancelled, the lease lost) the solve ends with {@link Outcome#STOPPED} and spends no more.
     */
    public SolveResult solve(SolveRequest request, JobRecorder recorder, BooleanSupplier stop)
            throws GitException, SandboxException, IOException {
        Instant started = Instant.now();
        recorder.event("fetch", "fetching " + request.cloneUrl());
        ObjectId base = mirror.fetch(request.repoKey(), request.cloneUrl(), request.credentials(), request.baseBranch());
        String branch = request.baseBranch() != null ? request.baseBranch() : mirror.defaultBranch(request.repoKey());
        recorder.event("fetch", "base is " + branch + " at " + base.name());
        try (Workspace.Job job = workspace.open(request.repoKey())) {
            Path baseTree = job.dir("base");
            mirror.materialize(request.repoKey(), base, baseTree);
            Progress progress = new Progress(request, branch, base, started);
            RepoConfig config;
            try {
                config = request.config() != null ? request.config() : RepoConfigFile.read(baseTree);
            } catch (RepoConfigFile.Invalid e) {
                recorder.event("config", e.getMessage());
                return progress.end(Outcome.CONFIG_INVALID, e.getMessage());
            }
            progress.testCommand = config.test();
            long window = SolvePrompt.packWindow(settings.contextTokens(), settings.maxOutputTokens(),
                    Tokenizers.load("o200k_base"), request);
            String packed;
            try {
                packed = job.pack(baseTree, config, window, request.issueTitle() + "\n\n" + request.issueBody(), recorder);
            } catch (IllegalArgumentException e) {
                // Not even the directory tree fits what the model's window leaves for the repository.
                String reason = "the model's context window (" + settings.contextTokens() + " tokens) leaves too little "
                        + "room for this repository: " + e.getMessage();
                recorder.event("pack", reason);
                return progress.end(Outcome.MODEL_FAILED, reason);
            }

            if (config.setup() != null) {
                recorder.event("setup", "running " + config.setup());
                progress.setup = job.setup(config.setup(), baseTree, config.setupNetwork() && settings.allowSetupNetwork(),
                        settings.cap(config.setupTimeout()));
                recorder.event("setup", progress.setup.description());
                if (!progress.setup.passed()) {
                    return progress.end(Outcome.SETUP_FAILED,
                            "the setup command `" + config.setup() + "` failed (" + progress.setup.description() + ")");
                }
            }
            progress.baseline = job.run(config.test(), job.copy(baseTree, "baseline"), false, settings.cap(config.testTimeout()));
            recorder.event("baseline", "tests on the base commit: " + progress.baseline.description()
                    + (progress.baseline.failingTests().isEmpty() ? "" : ", failing " + progress.baseline.failingTests()));

            SolvePrompt prompt = new SolvePrompt(request.repoKey(), base.name(), packed, request);
            int candidates = settings.candidatesFor(config.candidates());
            int modelFailures = 0;
            Map<String, Integer> seenDiffs = new HashMap<>();
            for (int ordinal = 1; ordinal <= candidates && progress.winner == null; ordinal++) {
                if (stop.getAsBoolean()) {
                    recorder.event("stop", "stopped before candidate " + ordinal);
                    return progress.end(Outcome.STOPPED, "stopped before candidate " + ordinal
                            + ": the job was cancelled or handed to another worker");
                }
                Instant candidateStart = Instant.now();
                Attempt attempt = new Attempt(ordinal);
                try {
                    ChatRequest chat = new ChatRequest(prompt.messages(), settings.maxOutputTokens(),
                            ordinal == 1 ? 0.0 : settings.temperature(), 1, null);
                    Completion completion = model.complete(chat);
                    progress.usage = progress.usage.plus(completion.usage());
                    attempt.model = completion.model();
                    attempt.usage = completion.usage();
                    attempt.answer = completion.choices().get(0);
                    judge(request, base, config, job, attempt, seenDiffs);
                } catch (InferenceException e) {
                    modelFailures++;
                    attempt.verdict("error", "the model call failed: " + e.getMessage());
                } catch (EditFormatException e) {
                    attempt.verdict("rejected", "the model's answer had no usable edits: " + e.getMessage());
                } catch (EditApplyException e) {
                    attempt.verdict("rejected", "the edits did not apply: " + e.getMessage());
                }
                CandidateRecord record = attempt.record(model.name(), Duration.between(candidateStart, Instant.now()));
                recorder.candidate(record);
                progress.candidates.add(record);
                if ("passed".equals(record.status())) {
                    progress.winner = record;
                    progress.patchCommit = attempt.commit;
                } else if (!"error".equals(record.status())) {
                    prompt.rejected(attempt.answer, record.reason(), attempt.testOutput);
                }
            }
            if (progress.winner != null) {
                return progress.end(Outcome.SOLVED, "candidate " + progress.winner.ordinal() + " passed the tests");
            }
            if (modelFailures == candidates) {
                return progress.end(Outcome.MODEL_FAILED, "every call to the model failed; the last: "
                        + progress.candidates.get(progress.candidates.size() - 1).reason());
            }
            return progress.end(Outcome.NO_PASSING_CANDIDATE,
                    "none of the " + candidates + " candidates made `" + config.test() + "` pass");
        }
    }

    private void judge(SolveRequest request, ObjectId base, RepoConfig config, Workspace.Job job, Attempt attempt,
                       Map<String, Integer> seenDiffs)
            throws EditFormatException, EditApplyException, GitException, SandboxException, IOException {
        List<FileEdit> edits = SearchReplaceFormat.parse(attempt.answer);
        Path tree = job.copy(job.dir("base"), "candidate-" + attempt.ordinal);
        List<String> changed = EditApplier.apply(tree, edits);
        attempt.commit = mirror.commit(request.repoKey(), base, tree, changed, commitMessage(request), AUTHOR);
        attempt.diff = mirror.diff(request.repoKey(), base, attempt.commit);
        if (attempt.diff.isBlank()) {
            attempt.verdict("rejected", "the edits changed nothing");
            return;
        }
        Integer same = seenDiffs.putIfAbsent(attempt.diff, attempt.ordinal);
        if (same != null) {
            attempt.verdict("rejected", "the same patch as candidate " + same + ", not run again");
            return;
        }
        StepRun run = job.run(config.test(), tree, false, settings.cap(config.testTimeout()));
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

        CandidateRecord record(String fallbackModel, Duration elapsed) {
            return new CandidateRecord(ordinal, status, reason, failingTests, diff,
                    model != null ? model : fallbackModel, usage.promptTokens(), usage.completionTokens(),
                    tail(testOutput), elapsed.toMillis());
        }
    }

    /** What is known so far, turned into the result at the end. */
    private static final class Progress {
        final SolveRequest request;
        final String branch;
        final ObjectId base;
        final Instant started;
        final List<CandidateRecord> candidates = new ArrayList<>();
        String testCommand;
        StepRun setup;
        StepRun baseline;
        CandidateRecord winner;
        ObjectId patchCommit;
        Usage usage = Usage.ZERO;

        Progress(SolveRequest request, String branch, ObjectId base, Instant started) {
            this.request = request;
            this.branch = branch;
            this.base = base;
            this.started = started;
        }

        SolveResult end(Outcome outcome, String reason) {
            return new SolveResult(outcome, reason, branch, base, testCommand, setup, baseline, candidates, winner,
                    patchCommit, usage, Duration.between(started, Instant.now()));
        }
    }
}
