package dev.patchwright.worker.git;

/**
 * A tree is over the operator's {@link TreeLimits}; nothing of it was written. Retrying does not
 * help: the message names the file or the count and the limit.
 */
public final class TreeTooLargeException extends GitException {

    private static final long serialVersionUID = 1L;

    private final String detail;

    TreeTooLargeException(String repoKey, String operation, String detail) {
        super(repoKey, operation, detail);
        this.detail = detail;
    }

    /** What is over which limit, without the operation and repository. */
    public String detail() {
        return detail;
    }
}
