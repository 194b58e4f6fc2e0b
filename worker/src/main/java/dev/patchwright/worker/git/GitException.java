package dev.patchwright.worker.git;

/**
 * A git operation on a repository failed: the network, the remote, the mirror on disk, or the
 * input. The message names the operation and the repository, never a credential.
 */
public class GitException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String repoKey;
    private final String operation;

    /**
     * @param repoKey   the repository, such as {@code owner/name}
     * @param operation what was being done, such as {@code fetch}
     * @param detail    what went wrong, a sentence a user can act on
     */
    public GitException(String repoKey, String operation, String detail) {
        this(repoKey, operation, detail, null);
    }

    /**
     * @param repoKey   the repository, such as {@code owner/name}
     * @param operation what was being done, such as {@code fetch}
     * @param detail    what went wrong, a sentence a user can act on
     * @param cause     the underlying failure, or null
     */
    public GitException(String repoKey, String operation, String detail, Throwable cause) {
        super("git " + operation + " of " + repoKey + " failed: " + detail, cause);
        this.repoKey = repoKey;
        this.operation = operation;
    }

    /** The repository the operation was about. */
    public String repoKey() {
        return repoKey;
    }

    /** The operation that failed, such as {@code fetch}, {@code push} or {@code materialize}. */
    public String operation() {
        return operation;
    }
}
