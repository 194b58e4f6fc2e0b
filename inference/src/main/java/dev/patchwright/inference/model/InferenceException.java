package dev.patchwright.inference.model;

import java.util.OptionalInt;

/**
 * A model call failed. The message names the endpoint and the problem, never a credential.
 */
public class InferenceException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final int status;

    /**
     * A failure without an HTTP status (connection refused, timeout, unparseable answer).
     *
     * @param retryable whether the same request may succeed if sent again later
     */
    public InferenceException(String message, boolean retryable, Throwable cause) {
        this(message, retryable, -1, cause);
    }

    /**
     * A failure, with the HTTP status the backend answered or -1 for none.
     *
     * @param retryable whether the same request may succeed if sent again later
     * @param status the HTTP status code, or -1 when there was no HTTP answer
     */
    public InferenceException(String message, boolean retryable, int status, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
        this.status = status;
    }

    /** Whether the same request may succeed if sent again later (overload, timeout, a server restarting). */
    public boolean retryable() {
        return retryable;
    }

    /** The HTTP status the backend answered with, if the failure came from an HTTP answer. */
    public OptionalInt status() {
        return status < 0 ? OptionalInt.empty() : OptionalInt.of(status);
    }
}
