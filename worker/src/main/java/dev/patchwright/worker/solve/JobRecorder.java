package dev.patchwright.worker.solve;

/**
 * Where a running job writes down what it does: its steps and every candidate it tried.
 * The database implementation lives in {@code worker.queue}; {@code solve} without a database
 * writes to its report instead.
 */
public interface JobRecorder {

    /** Records one step of the job ({@code kind} is a short machine word such as {@code fetch}). */
    void event(String kind, String message);

    /** Records one candidate patch and its verdict. */
    void candidate(CandidateRecord candidate);

    /**
     * The candidates earlier attempts of this job recorded, oldest first: a retried job starts after them instead
     * of paying for them again.
     */
    default java.util.List<CandidateRecord> earlierCandidates() {
        return java.util.List.of();
    }

    /** Keeps the result of a finished solve, so that a retry only has to publish it. */
    default void result(SolveResult result) {
    }

    /** The result an earlier attempt kept with {@link #result}, if any. */
    default java.util.Optional<SolveResult> storedResult() {
        return java.util.Optional.empty();
    }

    /** A recorder that keeps nothing, for callers that only want the return value. */
    JobRecorder NONE = new JobRecorder() {
        @Override
        public void event(String kind, String message) {
        }

        @Override
        public void candidate(CandidateRecord candidate) {
        }
    };
}
