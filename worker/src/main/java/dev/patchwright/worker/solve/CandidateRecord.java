package dev.patchwright.worker.solve;

import java.util.List;

/**
 * One candidate patch as recorded: its verdict and the evidence for it.
 *
 * @param ordinal          1-based position in the job
 * @param status           {@code passed} (accepted: it met the repository's acceptance rule), {@code rejected} (tests
 *                         failed or proved nothing, edits did not apply, model output unusable) or {@code error}
 *                         (infrastructure failed, or not verified)
 * @param reason           a sentence a user can act on
 * @param failingTests     test names extracted from the test output, possibly empty
 * @param diff             unified diff of the candidate against the base commit, or null
 * @param model            model name that produced it
 * @param promptTokens     prompt tokens billed for it
 * @param completionTokens completion tokens billed for it
 * @param testOutputTail   the last part of the test output, or null
 * @param elapsedMillis    wall time spent on this candidate
 * @param answer           the model's answer as it came, or null: a retried job rebuilds a paid-for patch from it
 * @param round            the round that sampled it, from 1
 * @param evidence         what its test runs showed; {@link Evidence#NONE} when it never ran
 */
public record CandidateRecord(int ordinal, String status, String reason, List<String> failingTests,
                              String diff, String model, long promptTokens, long completionTokens,
                              String testOutputTail, long elapsedMillis, String answer, int round,
                              Evidence evidence) {

    public CandidateRecord {
        failingTests = List.copyOf(failingTests);
        evidence = evidence == null ? Evidence.NONE : evidence;
        round = Math.max(1, round);
    }

    /** A candidate of the first round, without evidence. */
    public CandidateRecord(int ordinal, String status, String reason, List<String> failingTests, String diff,
                           String model, long promptTokens, long completionTokens, String testOutputTail,
                           long elapsedMillis, String answer) {
        this(ordinal, status, reason, failingTests, diff, model, promptTokens, completionTokens, testOutputTail,
                elapsedMillis, answer, 1, Evidence.NONE);
    }

    /**
     * What a candidate's test runs showed.
     *
     * @param votes        how many candidates proposed this same patch (itself included) plus how many other
     *                     candidates' reproduction tests it passes
     * @param fixed        tests that fail on the base code (the candidate's own tests added) and pass with the patch
     * @param regressions  tests that passed on the base commit and fail with the patch
     * @param reproduction the candidate's own tests that fail on the base code and pass with the patch
     * @param testChanges  existing test files, test scripts or workflow files the patch changes (flagged)
     */
    public record Evidence(int votes, List<String> fixed, List<String> regressions, List<String> reproduction,
                           List<String> testChanges) {
        /** Nothing ran. */
        public static final Evidence NONE = new Evidence(0, List.of(), List.of(), List.of(), List.of());

        public Evidence {
            fixed = List.copyOf(fixed == null ? List.of() : fixed);
            regressions = List.copyOf(regressions == null ? List.of() : regressions);
            reproduction = List.copyOf(reproduction == null ? List.of() : reproduction);
            testChanges = List.copyOf(testChanges == null ? List.of() : testChanges);
        }

        /** The same evidence with another vote count. */
        public Evidence withVotes(int count) {
            return new Evidence(count, fixed, regressions, reproduction, testChanges);
        }
    }

    /** The same record with other evidence. */
    public CandidateRecord withEvidence(Evidence other) {
        return new CandidateRecord(ordinal, status, reason, failingTests, diff, model, promptTokens, completionTokens,
                testOutputTail, elapsedMillis, answer, round, other);
    }
}
