package dev.patchwright.worker.solve;

/**
 * Where the result of a solve goes: a pull request on GitHub, or files on disk for a local solve.
 * Implementations must be safe to call twice for the same request (an existing branch or pull request
 * is reused, not duplicated).
 */
public interface Publisher {

    /**
     * Publishes a solved result (its {@code patchCommit} is set).
     *
     * @return where the result can be seen (a pull request URL, a file path)
     * @throws PublishException when publishing failed; {@link PublishException#retryable()} says
     *                          whether trying again later may help
     */
    String publishSolution(SolveRequest request, SolveResult result) throws PublishException;

    /**
     * Tells the requester that no patch came out of the solve, and why.
     *
     * @return where the report can be seen
     */
    String reportFailure(SolveRequest request, SolveResult result) throws PublishException;

    /** Tells the requester that the work stopped before the end (a cancel), and why. */
    default void reportStopped(SolveRequest request, String text) throws PublishException {
    }

    /**
     * Says how the work is going while it runs (the quote, the money spent so far), replacing what was said last.
     * Progress is a courtesy: it must not throw, and a failure to say it must not stop the work.
     */
    default void reportProgress(SolveRequest request, String markdown) {
    }
}
