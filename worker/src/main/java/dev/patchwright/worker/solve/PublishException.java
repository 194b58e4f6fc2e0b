package dev.patchwright.worker.solve;

/** Publishing a result failed; {@link #retryable()} says whether a later attempt may succeed. */
public class PublishException extends Exception {

    private final boolean retryable;

    public PublishException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True for rate limits, network failures and server errors. */
    public boolean retryable() {
        return retryable;
    }
}
