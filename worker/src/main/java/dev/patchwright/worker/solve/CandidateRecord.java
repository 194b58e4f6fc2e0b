package dev.patchwright.worker.solve;

import java.util.List;

/**
 * One candidate patch as recorded: its verdict and the evidence for it.
 *
 * @param ordinal          1-based position in the job
 * @param status           {@code passed}, {@code rejected} (tests failed, edits did not apply,
 *                         model output unusable) or {@code error} (infrastructure failed)
 * @param reason           a sentence a user can act on
 * @param failingTests     test names extracted from the test output, possibly empty
 * @param diff             unified diff of the candidate against the base commit, or null
 * @param model            model name that produced it
 * @param promptTokens     prompt tokens billed for it
 * @param completionTokens completion tokens billed for it
 * @param testOutputTail   the last part of the test output, or null
 * @param elapsedMillis    wall time spent on this candidate
 * @param answer           the model's answer as it came, or null: a retried job rebuilds a paid-for patch from it
 */
public record CandidateRecord(int ordinal, String status, String reason, List<String> failingTests,
                              String diff, String model, long promptTokens, long completionTokens,
                              String testOutputTail, long elapsedMillis, String answer) {

    public CandidateRecord {
        failingTests = List.copyOf(failingTests);
    }
}
