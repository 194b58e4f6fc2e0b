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
