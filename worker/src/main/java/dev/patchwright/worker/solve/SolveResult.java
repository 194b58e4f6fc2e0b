package dev.patchwright.worker.solve;

import dev.patchwright.inference.model.Usage;
import org.eclipse.jgit.lib.ObjectId;

import java.time.Duration;
import java.util.List;

/**
 * What a solve produced: the winning patch if any, and the evidence for every candidate.
 *
 * @param outcome     how it ended
 * @param reason      a sentence a user can act on (why it ended this way)
 * @param baseBranch  the branch the work started from
 * @param baseCommit  the commit the work started from, or null when the fetch failed
 * @param testCommand the test command that judged the candidates, or null when none was read
 * @param setup       what the setup step did, or null when there was none
 * @param baseline    the test run on the unchanged base commit, or null when it did not run
 * @param candidates  every candidate, in order
 * @param winner      the passing candidate, or null
 * @param patchCommit the commit holding the winning patch on top of {@code baseCommit}, or null
 * @param usage       model tokens spent, all candidates together
 * @param elapsed     wall time of the whole solve
 * @param spend       money spent and left, and the quote given before the first model call
 * @param phases      how long each phase took (fetch, setup, baseline, pack, each round), in order
 * @param detected    what build was detected when the repository named no test command, or empty
 */
public record SolveResult(Outcome outcome, String reason, String baseBranch, ObjectId baseCommit,
                          String testCommand, StepRun setup, StepRun baseline, List<CandidateRecord> candidates,
                          CandidateRecord winner, ObjectId patchCommit, Usage usage, Duration elapsed,
                          Spend spend, List<Phase> phases, String detected) {

    public SolveResult {
        candidates = List.copyOf(candidates);
        spend = spend == null ? Spend.NONE : spend;
        phases = List.copyOf(phases == null ? List.of() : phases);
        detected = detected == null ? "" : detected;
    }

    /** A result without phases or detection. */
    public SolveResult(Outcome outcome, String reason, String baseBranch, ObjectId baseCommit, String testCommand,
                       StepRun setup, StepRun baseline, List<CandidateRecord> candidates, CandidateRecord winner,
                       ObjectId patchCommit, Usage usage, Duration elapsed, Spend spend) {
        this(outcome, reason, baseBranch, baseCommit, testCommand, setup, baseline, candidates, winner, patchCommit,
                usage, elapsed, spend, List.of(), "");
    }

    /** The same result with another patch commit: the winner's patch rebuilt on another node. */
    public SolveResult withPatchCommit(ObjectId commit) {
        return new SolveResult(outcome, reason, baseBranch, baseCommit, testCommand, setup, baseline, candidates,
                winner, commit, usage, elapsed, spend, phases, detected);
    }

    /** The same result with the money as it stands now. */
    public SolveResult withSpend(Spend now) {
        return new SolveResult(outcome, reason, baseBranch, baseCommit, testCommand, setup, baseline, candidates,
                winner, patchCommit, usage, elapsed, now, phases, detected);
    }

    /** The rounds the candidates came in. */
    public int rounds() {
        return candidates.stream().mapToInt(CandidateRecord::round).max().orElse(0);
    }

    /**
     * One phase of the solve and how long it took.
     *
     * @param name   e.g. "fetch", "setup", "baseline", "pack", "round 2"
     * @param millis its wall time
     */
    public record Phase(String name, long millis) {
    }

    /**
     * Money around one job, in dollars as people read them ({@code $0.42}); empty strings where unknown.
     *
     * @param spent            what the job spent, all its attempts
     * @param issueLimit       the job's own limit
     * @param repositoryLeft   what the repository's monthly budget leaves after it
     * @param repositoryLimit  the repository's monthly budget
     * @param quote            the quote given before the first model call, or empty
     */
    public record Spend(String spent, String issueLimit, String repositoryLeft, String repositoryLimit,
                        String quote) {
        /** Nothing known about money. */
        public static final Spend NONE = new Spend("", "", "", "", "");

        /** Whether there is anything to say about money. */
        public boolean known() {
            return !spent.isEmpty();
        }
    }

    /** How a solve ended. */
    public enum Outcome {
        /** A candidate made the tests pass. */
        SOLVED,
        /** Every candidate was tried and none passed. */
        NO_PASSING_CANDIDATE,
        /** The repository's configuration is missing or invalid. */
        CONFIG_INVALID,
        /** The setup command failed, so no candidate could be judged. */
        SETUP_FAILED,
        /** The model could not be reached or refused every call. */
        MODEL_FAILED,
        /** The work could not run (fetch, sandbox or GitHub kept failing) and retries ran out. */
        GAVE_UP,
        /** Stopped before the end: the job was cancelled, or this worker lost its lease. */
        STOPPED,
        /** The budget (money or time) could not pay for the next step, which was not taken. */
        BUDGET_EXHAUSTED,
        /**
         * On the base commit the tests could not be built or run (as opposed to tests that fail): the environment is
         * broken, and no model was paid to patch it.
         */
        BASELINE_BROKEN,
        /** The repository, or what its commands wrote, went over the operator's disk limits. */
        OVER_DISK_LIMIT
    }

    /** A result for work that never got to candidates, carrying only the reason. */
    public static SolveResult notRun(Outcome outcome, String reason) {
        return new SolveResult(outcome, reason, null, null, null, null, null, List.of(), null, null, Usage.ZERO,
                Duration.ZERO, Spend.NONE);
    }

    /** True when there is a patch to publish. */
    public boolean solved() {
        return outcome == Outcome.SOLVED;
    }

    /**
     * One sandboxed command and how it went.
     *
     * @param command        the command as configured
     * @param description    e.g. "exit code 1 after 2.3 s"
     * @param passed         whether it exited 0 in time
     * @param failingTests   test names found in its output
     * @param outputTail     the end of its output
     * @param elapsed        how long it ran
     * @param broken         why it could not build or run the tests (as opposed to tests that ran and failed), or
     *                       null when the tests ran
     */
    public record StepRun(String command, String description, boolean passed, List<String> failingTests,
                          String outputTail, Duration elapsed, String broken) {
        public StepRun {
            failingTests = List.copyOf(failingTests);
        }

        /** A run whose tests ran (passing or failing). */
        public StepRun(String command, String description, boolean passed, List<String> failingTests,
                       String outputTail, Duration elapsed) {
            this(command, description, passed, failingTests, outputTail, elapsed, null);
        }
    }
}
