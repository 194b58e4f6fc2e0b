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
import dev.patchwright.worker.config.AcceptRule;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.git.GitException;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.git.TreeTooLargeException;
import dev.patchwright.worker.budget.BudgetExceededException;
import dev.patchwright.worker.budget.BudgetStatus;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.CandidateRecord.Evidence;
import dev.patchwright.worker.solve.SolveResult.Outcome;
import dev.patchwright.worker.solve.SolveResult.StepRun;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Solves one issue: fetch, set up and run the tests on the base commit, pack, then rounds of candidates until one
 * is accepted. Each candidate is the model's answer parsed into edits, applied to a copy of the baseline's built
 * tree, committed in the mirror (never pushed here) and judged by the tests in the sandbox (see
 * {@link CandidateJudge}).
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
     *
     * <p>The environment comes first: setup and the tests on the base commit run before anything is packed or any
     * model is called, and a base commit whose tests cannot be built or run ends the solve there.
     */
    public SolveResult solve(SolveRequest request, SolveContext context)
            throws GitException, SandboxException, IOException {
        Instant started = Instant.now();
        JobRecorder recorder = context.recorder();
        recorder.event("fetch", "fetching " + request.cloneUrl());
        ObjectId base = mirror.fetch(request.repoKey(), request.cloneUrl(), request.credentials(), request.baseBranch());
        String branch = request.baseBranch() != null ? request.baseBranch() : mirror.defaultBranch(request.repoKey());
        recorder.event("fetch", "base is " + branch + " at " + base.name());
        Revision revision = request.revision();
        if (revision != null && revision.changes() == null) {
            // A revision shows the model what its pull request changed so far, as the reviewers saw it.
            ObjectId target = mirror.branchHead(request.repoKey(), revision.pullBase()).orElse(base);
            request = request.withRevision(revision.withChanges(mirror.changesSince(request.repoKey(), target, base)));
        }
        Progress progress = new Progress(request, branch, base, started, context);
        try (Workspace.Job job = workspace.open(request.repoKey())) {
            Path baseTree = job.dir("base");
            List<String> leftOut;
            try {
                leftOut = mirror.materialize(request.repoKey(), base, baseTree);
            } catch (TreeTooLargeException e) {
                String reason = "the repository is too large to write out: " + e.detail();
                recorder.event("tree", reason);
                return progress.end(Outcome.OVER_DISK_LIMIT, reason);
            }
            if (!leftOut.isEmpty()) {
                // Said before any model call; a commit keeps these entries as the base tree has them.
                recorder.event("tree", leftOut(leftOut));
            }
            progress.phase("fetch");
            RepoConfig config;
            try {
                config = request.config() != null ? request.config() : RepoConfigFile.read(baseTree);
            } catch (RepoConfigFile.Invalid e) {
                recorder.event("config", e.getMessage());
                return progress.end(Outcome.CONFIG_INVALID, e.getMessage());
            }
            if (config.test() == null) {
                Optional<BuildDetection.Detected> detected = BuildDetection.detect(baseTree);
                if (detected.isEmpty()) {
                    recorder.event("config", BuildDetection.nothingDetected());
                    return progress.end(Outcome.CONFIG_INVALID, BuildDetection.nothingDetected());
                }
                config = config.withCommands(detected.get().setup(), detected.get().test());
                progress.detected = detected.get().text();
                recorder.event("config", progress.detected);
                context.progress().update(progress.detected);
            }
            if (request.revision() != null) {
                // The pull request already fixed the issue: a revision must keep every test passing, not make one pass.
                config = config.withAccept(AcceptRule.TESTS_PASS);
            }
            progress.testCommand = config.test();
            try {
                // The tests run in a copy that keeps what setup and the baseline built: each candidate starts from it.
                Path built = job.copy(baseTree, "built");
                SolveResult broken = environment(config, job, built, progress);
                if (broken != null) {
                    return broken;
                }
                Tokenizer tokenizer = Tokenizers.load("o200k_base");
                long window = SolvePrompt.packWindow(settings.contextTokens(), settings.maxOutputTokens(), tokenizer,
                        request);
                String packed;
                try {
                    // Over the window, one cheap call asks the model which files to open; paid like every call.
                    packed = job.pack(baseTree, config, window, request.taskText(),
                            recorder, question -> {
                                Completion answer = context.meter().complete(model, question);
                                progress.usage = progress.usage.plus(answer.usage());
                                return answer.choices().get(0);
                            });
                } catch (IllegalArgumentException e) {
                    // Not even the directory tree fits what the model's window leaves for the repository.
                    String reason = "the model's context window (" + settings.contextTokens() + " tokens) leaves too "
                            + "little room for this repository: " + e.getMessage();
                    recorder.event("pack", reason);
                    return progress.end(Outcome.MODEL_FAILED, reason);
                }
                progress.phase("pack");
                return rounds(request, base, config, job, built, packed, tokenizer, progress);
            } catch (BudgetExceededException e) {
                String reason = "the budget cannot pay for the next step: " + e.getMessage();
                recorder.event("budget", reason);
                return progress.end(Outcome.BUDGET_EXHAUSTED, reason);
            }
        }
    }

    /**
     * Setup, then the tests on the base commit, both in {@code built}; the result that ends the solve when either
     * breaks, else null. No model has been called yet, so a broken environment costs only its sandbox time.
     */
    private SolveResult environment(RepoConfig config, Workspace.Job job, Path built, Progress progress)
            throws SandboxException, BudgetExceededException {
        SolveContext context = progress.context;
        JobRecorder recorder = context.recorder();
        if (config.setup() != null) {
            recorder.event("setup", "running " + config.setup());
            boolean network = config.setupNetwork() && settings.allowSetupNetwork();
            if (config.setupNetwork() && !network) {
                // With the network, setup would share the host's: its loopback and private ranges included.
                recorder.event("setup", "runs without network: this worker does not give setup: the network "
                        + "(PATCHWRIGHT_SOLVE_SETUP_NETWORK)");
            }
            Duration limit = settings.cap(config.setupTimeout());
            // The one step that may write the dependency cache.
            progress.setup = context.meter().sandbox(limit, () -> job.setup(config.setup(), built, network, limit),
                    StepRun::elapsed);
            recorder.event("setup", progress.setup.description());
            progress.phase("setup");
            if (!progress.setup.passed()) {
                return progress.end(Outcome.SETUP_FAILED,
                        "the setup command `" + config.setup() + "` failed (" + progress.setup.description() + ")"
                        + (config.setupNetwork() && !network ? "; it ran without network, which this worker does not "
                        + "give setup: (PATCHWRIGHT_SOLVE_SETUP_NETWORK=true allows it)" : ""));
            }
        }
        Duration testLimit = settings.cap(config.testTimeout());
        progress.baseline = sandboxed(job, config.test(), built, testLimit, context);
        progress.phase("baseline");
        recorder.event("baseline", "tests on the base commit: " + progress.baseline.description()
                + (progress.baseline.failingTests().isEmpty() ? "" : ", failing " + progress.baseline.failingTests()));
        if (progress.baseline.broken() != null) {
            String reason = "on the base commit, before any change, `" + config.test() + "` could not build or run "
                    + "the tests: " + progress.baseline.broken() + ". No model was called: fix the build, or the "
                    + "`setup:` and `test:` commands in `" + RepoConfigFile.PATH + "`, then try again";
            recorder.event("baseline", reason);
            return progress.end(Outcome.BASELINE_BROKEN, reason);
        }
        return null;
    }

    /**
     * Rounds of candidates until one is accepted, or the rounds, the money or the time run out. Each round samples
     * the round's candidates from one prompt, verifies the distinct ones in parallel sandboxes, counts identical
     * patches as votes, and shows the next round the most promising failures.
     */
    private SolveResult rounds(SolveRequest request, ObjectId base, RepoConfig config, Workspace.Job job, Path built,
                               String packed, Tokenizer tokenizer, Progress progress)
            throws GitException, SandboxException, IOException, BudgetExceededException {
        SolveContext context = progress.context;
        JobRecorder recorder = context.recorder();
        Duration testLimit = settings.cap(config.testTimeout());
        CandidateJudge judge = new CandidateJudge(job, config, progress.baseline, built, testLimit, context);
        SolvePrompt prompt = new SolvePrompt(request.repoKey(), base.name(), packed, request);
        int perRound = settings.candidatesFor(config.candidates());
        int rounds = settings.roundsFor(config.rounds());
        Map<String, Integer> seenDiffs = new HashMap<>();
        int lastRound = 0;
        for (CandidateRecord earlier : recorder.earlierCandidates()) {
            if ("error".equals(earlier.status())) {
                continue; // no verdict was paid for: it is tried again
            }
            progress.candidates.add(earlier);
            lastRound = Math.max(lastRound, earlier.round());
            if (earlier.diff() != null) {
                seenDiffs.putIfAbsent(normalised(earlier.diff()), earlier.ordinal());
            }
            if ("passed".equals(earlier.status()) && earlier.answer() != null) {
                recorder.event("resume", "candidate " + earlier.ordinal() + " was accepted on an earlier attempt; its "
                        + "patch is rebuilt, not paid for again");
                progress.winner = earlier;
                progress.patchCommit = rebuild(request, base, earlier.answer());
                return progress.end(Outcome.SOLVED, "candidate " + earlier.ordinal() + " was accepted: "
                        + earlier.reason());
            }
        }
        if (!progress.candidates.isEmpty()) {
            recorder.event("resume", progress.candidates.size() + " candidate(s) recorded by earlier attempts are "
                    + "not generated again");
            prompt.repair(mostPromising(progress.candidates));
        }
        if (lastRound < rounds && context.meter().priced()) {
            ChatRequest one = chat(prompt, 1);
            long tokens = one.messages().stream().mapToLong(m -> tokenizer.count(m.content())).sum();
            Quote quote = Quote.of(context.meter(), one, tokens, perRound * (rounds - lastRound), testLimit);
            progress.quote = quote.text();
            recorder.event("quote", quote.text());
            context.progress().update(quote.text());
            if (!quote.affordable()) {
                return progress.end(Outcome.BUDGET_EXHAUSTED, quote.refusal());
            }
        }
        int calls = 0;
        int failedCalls = 0;
        ExecutorService sandboxes = Executors.newFixedThreadPool(settings.sandboxes(), runnable -> {
            Thread thread = new Thread(runnable, "verify-" + request.repoKey());
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int round = lastRound + 1; round <= rounds; round++) {
                if (context.stop().getAsBoolean()) {
                    recorder.event("stop", "stopped before round " + round);
                    return progress.end(Outcome.STOPPED, "stopped before round " + round
                            + ": the job was cancelled or handed to another worker");
                }
                if (Instant.now().isAfter(context.deadline())) {
                    return progress.end(Outcome.BUDGET_EXHAUSTED, "the per-issue time limit was reached before round "
                            + round);
                }
                context.progress().update(progress.header() + "Round " + round + " of " + rounds + ": sampling "
                        + perRound + " candidate" + (perRound == 1 ? "" : "s") + ".");
                Samples samples = sample(prompt, perRound, context);
                calls += samples.calls;
                failedCalls += samples.failedCalls;
                List<Attempt> attempts = new ArrayList<>();
                for (int i = 0; i < samples.answers.size(); i++) {
                    Attempt attempt = new Attempt(progress.nextOrdinal(), round);
                    attempt.model = samples.model;
                    attempt.usage = samples.usageShare(i);
                    attempt.answer = samples.answers.get(i);
                    prepare(request, base, config, job, built, attempt, seenDiffs, progress);
                    attempts.add(attempt);
                }
                if (samples.error != null) {
                    Attempt failed = new Attempt(progress.nextOrdinal(), round);
                    failed.verdict("error", "the model call failed: " + samples.error);
                    attempts.add(failed);
                }
                context.progress().update(progress.header() + "Round " + round + " of " + rounds + ": verifying "
                        + attempts.stream().filter(a -> a.prepared != null).count() + " distinct candidate(s) in the "
                        + "sandbox.");
                verify(judge, attempts, sandboxes, progress);
                crossVote(judge, attempts, sandboxes, progress);
                List<CandidateRecord> accepted = new ArrayList<>();
                for (Attempt attempt : attempts) {
                    CandidateRecord record = attempt.record();
                    if ("passed".equals(record.status())) {
                        accepted.add(record);
                    }
                }
                progress.record(attempts);
                progress.phase("round " + round);
                if (!accepted.isEmpty()) {
                    CandidateRecord winner = best(accepted, progress.candidates);
                    progress.winner = winner;
                    progress.patchCommit = attempts.stream().filter(a -> a.ordinal == winner.ordinal())
                            .findFirst().orElseThrow().commit;
                    recorder.event("accept", "candidate " + winner.ordinal() + " accepted in round " + round + ": "
                            + winner.reason());
                    return progress.end(Outcome.SOLVED, "candidate " + winner.ordinal() + " was accepted: "
                            + winner.reason());
                }
                prompt.repair(mostPromising(progress.candidates));
                if (context.meter().priced()) {
                    context.progress().update(progress.header() + progress.spentSoFar(round, rounds));
                }
            }
        } finally {
            sandboxes.shutdownNow();
        }
        if (calls > 0 && failedCalls == calls) {
            return progress.end(Outcome.MODEL_FAILED, "every call to the model failed; the last: "
                    + progress.candidates.get(progress.candidates.size() - 1).reason());
        }
        List<CandidateRecord> promising = mostPromising(progress.candidates);
        String closest = promising.isEmpty() ? "" : "; the closest, candidate " + promising.get(0).ordinal() + ": "
                + promising.get(0).reason();
        return progress.end(Outcome.NO_PASSING_CANDIDATE, "none of the " + progress.candidates.size()
                + " candidates in " + Math.max(1, progress.rounds()) + " round" + (progress.rounds() == 1 ? "" : "s")
                + " was accepted (" + (config.accept() == AcceptRule.TESTS_PASS ? "the tests must pass and nothing "
                + "that passed may break" : "a test must go from failing to passing and nothing that passed may "
                + "break") + ")" + closest);
    }

    /** The answers of one round: one call with {@code n} where the server gives them, else one call each. */
    private Samples sample(SolvePrompt prompt, int wanted, SolveContext context) throws BudgetExceededException {
        Samples samples = new Samples();
        int n = wanted;
        while (samples.answers.size() < wanted) {
            int ask = Math.min(n, wanted - samples.answers.size());
            try {
                samples.calls++;
                Completion completion = context.meter().complete(model, chat(prompt, ask));
                samples.model = completion.model();
                samples.add(completion.choices(), completion.usage());
                if (completion.choices().size() < ask) {
                    n = 1; // the server ignores n: one call per sample from here on
                }
            } catch (InferenceException e) {
                samples.failedCalls++;
                samples.error = e.getMessage();
                return samples;
            } catch (BudgetExceededException e) {
                if (ask > 1) {
                    n = 1; // the budget may still hold one sample at a time
                    samples.calls--;
                    continue;
                }
                if (samples.answers.isEmpty()) {
                    throw e;
                }
                return samples; // what was paid for is verified
            }
        }
        return samples;
    }

    /**
     * Parses a candidate's answer, applies it to a copy of the built tree and commits it; judges at once what needs
     * no test run (unusable answers, protected paths, a patch already proposed, which counts as a vote).
     */
    private void prepare(SolveRequest request, ObjectId base, RepoConfig config, Workspace.Job job, Path built,
                         Attempt attempt, Map<String, Integer> seenDiffs, Progress progress)
            throws GitException, IOException {
        List<FileEdit> edits;
        try {
            edits = SearchReplaceFormat.parse(attempt.answer);
        } catch (EditFormatException e) {
            attempt.verdict("rejected", "the model's answer had no usable edits: " + e.getMessage());
            return;
        }
        Path tree = job.copy(built, "candidate-" + attempt.ordinal);
        List<String> changed;
        try {
            changed = CandidateJudge.applyNewer(tree, edits, built);
        } catch (EditApplyException e) {
            job.delete(tree);
            attempt.verdict("rejected", "the edits did not apply: " + e.getMessage());
            return;
        }
        Path baseTree = job.dir("base");
        attempt.commit = mirror.commit(request.repoKey(), base, tree, changed, commitMessage(request), AUTHOR);
        attempt.diff = mirror.diff(request.repoKey(), base, attempt.commit);
        if (attempt.diff.isBlank()) {
            job.delete(tree);
            attempt.verdict("rejected", "the edits changed nothing");
            return;
        }
        List<String> flagged = config.allowTestChanges() ? List.of()
                : ProtectedPaths.touched(changed, baseTree, config.test(), attempt.diff);
        if (request.revision() != null) {
            // The tests the pull request itself added are its own work under review, not the repository's.
            Set<String> own = request.revision().created();
            flagged = flagged.stream().filter(path -> !own.contains(path)).toList();
        }
        if (!flagged.isEmpty()) {
            // Judged before the tests run: emptying a test makes them pass without fixing anything.
            job.delete(tree);
            attempt.evidence = new Evidence(1, List.of(), List.of(), List.of(), flagged);
            attempt.verdict("rejected", "it changes " + String.join(", ", flagged) + ", which only a person may "
                    + "change (existing tests, the test command's files, .github/); a repository that wants "
                    + "otherwise sets allow-test-changes: true");
            return;
        }
        Integer same = seenDiffs.putIfAbsent(normalised(attempt.diff), attempt.ordinal);
        if (same != null) {
            job.delete(tree);
            progress.vote(same);
            attempt.sameAs = same;
            attempt.verdict("rejected", "the same patch as candidate " + same + ": counted as a vote for it, not run "
                    + "again");
            return;
        }
        List<FileEdit> sourceEdits = new ArrayList<>();
        List<FileEdit> testEdits = new ArrayList<>();
        boolean extendsExisting = false;
        for (FileEdit edit : edits) {
            if (ProtectedPaths.isTest(edit.path())) {
                testEdits.add(edit);
                extendsExisting |= Files.exists(baseTree.resolve(edit.path()), LinkOption.NOFOLLOW_LINKS);
            } else {
                sourceEdits.add(edit);
            }
        }
        attempt.prepared = new CandidateJudge.Prepared(attempt.ordinal, tree, sourceEdits, testEdits, extendsExisting);
    }

    /** Runs the prepared candidates' tests, {@link SolveSettings#sandboxes()} at a time. */
    private static void verify(CandidateJudge judge, List<Attempt> attempts, ExecutorService sandboxes,
                               Progress progress) throws SandboxException, BudgetExceededException, IOException {
        Map<Attempt, Future<CandidateJudge.Verdict>> running = new LinkedHashMap<>();
        for (Attempt attempt : attempts) {
            if (attempt.prepared != null) {
                running.put(attempt, sandboxes.submit(() -> judge.judge(attempt.prepared)));
            }
        }
        BudgetExceededException unpaid = null;
        for (Map.Entry<Attempt, Future<CandidateJudge.Verdict>> entry : running.entrySet()) {
            Attempt attempt = entry.getKey();
            try {
                CandidateJudge.Verdict verdict = entry.getValue().get();
                attempt.testOutput = verdict.full().outputTail();
                attempt.failingTests = verdict.full().failingTests();
                attempt.evidence = verdict.evidence().withVotes(progress.votes(attempt.ordinal));
                attempt.verdict(verdict.status(), verdict.reason());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted while candidates were verified", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof BudgetExceededException budget) {
                    // Paid for but not verified: kept with its answer, so a retry with more budget can test it.
                    attempt.verdict("error", "not verified: the budget cannot pay for its test run");
                    unpaid = budget;
                } else if (cause instanceof SandboxException sandbox) {
                    throw sandbox;
                } else if (cause instanceof IOException io) {
                    throw io;
                } else {
                    throw new IllegalStateException("verifying candidate " + attempt.ordinal + " failed", cause);
                }
            }
        }
        if (unpaid != null) {
            progress.record(attempts);
            throw unpaid;
        }
    }

    /** Most accepted candidates whose code the others' reproduction tests are run against. */
    static final int CROSS_VOTE_TARGETS = 4;

    /**
     * When a round accepted several different patches, the reproduction tests of every candidate so far (those that
     * failed on the base code) are run against each accepted patch's code: each test that passes there is a vote for
     * it, as in Agentless and CodeMonkeys. A patch that also satisfies its rivals' tests more likely fixes the issue
     * rather than its own idea of it.
     */
    private static void crossVote(CandidateJudge judge, List<Attempt> attempts, ExecutorService sandboxes,
                                  Progress progress) throws SandboxException, BudgetExceededException, IOException {
        for (Attempt attempt : attempts) {
            if (attempt.prepared != null && !attempt.evidence.reproduction().isEmpty()
                    && !attempt.prepared.testEdits().isEmpty()) {
                progress.reproducers.put(attempt.ordinal, attempt.prepared.testEdits());
            }
        }
        List<Attempt> accepted = attempts.stream().filter(a -> "passed".equals(a.status) && a.prepared != null)
                .limit(CROSS_VOTE_TARGETS).toList();
        if (accepted.size() < 2) {
            return;
        }
        Map<Attempt, List<Future<Boolean>>> runs = new LinkedHashMap<>();
        for (Attempt target : accepted) {
            List<Future<Boolean>> votes = new ArrayList<>();
            for (Map.Entry<Integer, List<FileEdit>> voter : progress.reproducers.entrySet()) {
                if (voter.getKey() != target.ordinal) {
                    String name = target.ordinal + "-tests-of-" + voter.getKey();
                    votes.add(sandboxes.submit(() -> judge.supports(name, target.prepared.sourceEdits(),
                            voter.getValue())));
                }
            }
            runs.put(target, votes);
        }
        for (Map.Entry<Attempt, List<Future<Boolean>>> entry : runs.entrySet()) {
            int supported = 0;
            for (Future<Boolean> vote : entry.getValue()) {
                try {
                    supported += vote.get() ? 1 : 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxException("interrupted while candidates' tests voted", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof BudgetExceededException budget) {
                        throw budget;
                    } else if (e.getCause() instanceof SandboxException sandbox) {
                        throw sandbox;
                    } else if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException("a vote on candidate " + entry.getKey().ordinal + " failed",
                            e.getCause());
                }
            }
            Attempt target = entry.getKey();
            progress.crossVotes.merge(target.ordinal, supported, Integer::sum);
            target.evidence = target.evidence.withVotes(progress.votes(target.ordinal));
            if (supported > 0) {
                progress.context.recorder().event("vote", "candidate " + target.ordinal + " passes the reproduction "
                        + "tests of " + supported + " other candidate" + (supported == 1 ? "" : "s"));
            }
        }
    }

    /**
     * The winner among accepted candidates: the most votes (identical patches), then one whose own test reproduces
     * the issue, then the smallest change, then the earliest.
     */
    private static CandidateRecord best(List<CandidateRecord> accepted, List<CandidateRecord> all) {
        return accepted.stream().min(Comparator
                .comparingInt((CandidateRecord c) -> -c.evidence().votes())
                .thenComparing(c -> c.evidence().reproduction().isEmpty())
                .thenComparingInt(c -> changedLines(c.diff()))
                .thenComparingInt(CandidateRecord::ordinal)).orElseThrow();
    }

    /**
     * Candidates worth showing the next round, best first: patches that ran, fixing most and breaking least; not
     * duplicates, not answers that never applied.
     */
    static List<CandidateRecord> mostPromising(List<CandidateRecord> candidates) {
        return candidates.stream()
                .filter(c -> !"error".equals(c.status()) && c.diff() != null && !c.diff().isBlank()
                        && !c.reason().startsWith("the same patch as candidate"))
                .sorted(Comparator
                        .comparingInt((CandidateRecord c) -> c.testOutputTail() == null ? 1 : 0)
                        .thenComparingInt(c -> c.evidence().regressions().size() - c.evidence().fixed().size())
                        .thenComparingInt(c -> c.failingTests().size())
                        .thenComparingInt(c -> -c.ordinal()))
                .toList();
    }

    private static int changedLines(String diff) {
        return SolveReport.DiffStat.of(diff).stream().mapToInt(s -> s.added() + s.removed()).sum();
    }

    /** A diff without what does not change its meaning: object ids and trailing blanks. */
    static String normalised(String diff) {
        StringBuilder out = new StringBuilder();
        for (String line : diff.split("\n")) {
            if (line.startsWith("index ")) {
                continue;
            }
            out.append(line.stripTrailing()).append('\n');
        }
        return out.toString();
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

    /** One line naming what of the base tree is not in the worktrees, the first few in full. */
    static String leftOut(List<String> entries) {
        int shown = Math.min(entries.size(), 20);
        String more = entries.size() > shown ? "; and " + (entries.size() - shown) + " more" : "";
        return entries.size() + " entries of the base tree are not written out (the patch commit keeps them as "
                + "they are): " + String.join("; ", entries.subList(0, shown)) + more;
    }

    /** One request for {@code n} samples: deterministic when one is asked for, varied when several are. */
    private ChatRequest chat(SolvePrompt prompt, int n) {
        return new ChatRequest(prompt.messages(), settings.maxOutputTokens(), n == 1 ? 0.0 : settings.temperature(),
                n, null);
    }

    private StepRun sandboxed(Workspace.Job job, String command, Path tree, Duration limit, SolveContext context)
            throws SandboxException, BudgetExceededException {
        return context.meter().sandbox(limit, () -> job.run(command, tree, false, limit), StepRun::elapsed);
    }

    private static String commitMessage(SolveRequest request) {
        Revision revision = request.revision();
        if (revision != null) {
            return "Address the review of #" + revision.pullNumber() + (revision.reviewer().isBlank() ? ""
                    : " by @" + revision.reviewer()) + "\n\nWritten by Patchwright; the repository's tests pass.\n";
        }
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

    /** The answers a round's calls brought back, and what they cost. */
    private static final class Samples {
        final List<String> answers = new ArrayList<>();
        final List<Usage> shares = new ArrayList<>();
        String model;
        String error;
        int calls;
        int failedCalls;

        /** Adds a call's choices, each with an even share of the call's usage. */
        void add(List<String> choices, Usage usage) {
            int count = Math.max(1, choices.size());
            for (int i = 0; i < choices.size(); i++) {
                answers.add(choices.get(i));
                shares.add(i == 0 ? new Usage(usage.promptTokens() - usage.promptTokens() / count * (count - 1),
                        usage.cachedPromptTokens() - usage.cachedPromptTokens() / count * (count - 1),
                        usage.completionTokens() - usage.completionTokens() / count * (count - 1))
                        : new Usage(usage.promptTokens() / count, usage.cachedPromptTokens() / count,
                        usage.completionTokens() / count));
            }
        }

        Usage usageShare(int i) {
            return shares.get(i);
        }
    }

    /** One candidate while it is being judged. */
    private static final class Attempt {
        final int ordinal;
        final int round;
        String model;
        Usage usage = Usage.ZERO;
        String answer;
        ObjectId commit;
        String diff;
        String testOutput;
        List<String> failingTests = List.of();
        Evidence evidence = Evidence.NONE;
        CandidateJudge.Prepared prepared;
        Integer sameAs;
        String status;
        String reason;
        final Instant started = Instant.now();
        CandidateRecord record;

        Attempt(int ordinal, int round) {
            this.ordinal = ordinal;
            this.round = round;
        }

        void verdict(String status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        CandidateRecord record() {
            if (record == null) {
                record = new CandidateRecord(ordinal, status, reason, failingTests, diff, model, usage.promptTokens(),
                        usage.completionTokens(), tail(testOutput), Duration.between(started, Instant.now()).toMillis(),
                        answer, round, evidence);
            }
            return record;
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
        final List<SolveResult.Phase> phases = new ArrayList<>();
        final Map<Integer, Integer> votes = new HashMap<>();
        /** Votes from other candidates' reproduction tests that a candidate's code passes. */
        final Map<Integer, Integer> crossVotes = new HashMap<>();
        /** The test edits of this attempt's candidates whose tests failed on the base code, by ordinal. */
        final Map<Integer, List<FileEdit>> reproducers = new LinkedHashMap<>();
        Instant phaseStart;
        String testCommand;
        String detected = "";
        StepRun setup;
        StepRun baseline;
        CandidateRecord winner;
        ObjectId patchCommit;
        Usage usage = Usage.ZERO;
        String quote = "";
        int ordinals;

        Progress(SolveRequest request, String branch, ObjectId base, Instant started, SolveContext context) {
            this.request = request;
            this.branch = branch;
            this.base = base;
            this.started = started;
            this.phaseStart = started;
            this.context = context;
        }

        int nextOrdinal() {
            if (ordinals == 0) {
                ordinals = candidates.stream().mapToInt(CandidateRecord::ordinal).max().orElse(0);
            }
            return ++ordinals;
        }

        /** Ends the phase that began when the last one ended. */
        void phase(String name) {
            Instant now = Instant.now();
            phases.add(new SolveResult.Phase(name, Duration.between(phaseStart, now).toMillis()));
            phaseStart = now;
        }

        /** One more candidate proposed the patch of candidate {@code ordinal}. */
        void vote(int ordinal) {
            votes.merge(ordinal, 1, Integer::sum);
            for (int i = 0; i < candidates.size(); i++) {
                CandidateRecord c = candidates.get(i);
                if (c.ordinal() == ordinal && c.evidence() != Evidence.NONE) {
                    candidates.set(i, c.withEvidence(c.evidence().withVotes(votes(ordinal))));
                }
            }
        }

        /** Votes for candidate {@code ordinal}: itself, every identical patch, every rival's test it passes. */
        int votes(int ordinal) {
            return 1 + votes.getOrDefault(ordinal, 0) + crossVotes.getOrDefault(ordinal, 0);
        }

        /** Records the round's candidates (once each), with their votes as they stand now. */
        void record(List<Attempt> attempts) {
            for (Attempt attempt : attempts) {
                if (attempt.record != null && candidates.stream().anyMatch(c -> c.ordinal() == attempt.ordinal)) {
                    continue;
                }
                if (attempt.status == null) {
                    continue; // not judged: a budget refusal stopped the round before its run
                }
                if (attempt.prepared != null || attempt.evidence != Evidence.NONE) {
                    attempt.evidence = attempt.evidence.withVotes(votes(attempt.ordinal));
                }
                CandidateRecord record = attempt.record();
                context.recorder().candidate(record);
                candidates.add(record);
                usage = usage.plus(attempt.usage);
            }
        }

        int rounds() {
            return candidates.stream().mapToInt(CandidateRecord::round).max().orElse(0);
        }

        /** The lines that head every progress update: what was detected, and the quote. */
        String header() {
            StringBuilder text = new StringBuilder();
            if (!detected.isEmpty()) {
                text.append(detected).append("\n\n");
            }
            if (!quote.isEmpty()) {
                text.append(quote).append("\n\n");
            }
            return text.toString();
        }

        /** One line on the money after round {@code round} of {@code rounds}. */
        String spentSoFar(int round, int rounds) {
            BudgetStatus status = context.meter().guard().status();
            boolean limited = !status.limits().perIssue().equals(Limits.unlimited().perIssue());
            return String.format(Locale.ROOT, "Round %d of %d done, %d candidate%s so far, none accepted yet; spent so "
                            + "far %s%s.", round, rounds, candidates.size(), candidates.size() == 1 ? "" : "s",
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
                    candidates, winner, patchCommit, usage, Duration.between(started, Instant.now()), spend, phases,
                    detected);
            if (outcome != Outcome.STOPPED) {
                context.recorder().result(result);
            }
            return result;
        }
    }
}
