package dev.patchwright.worker.sandbox;

/**
 * The machine cannot provide the required isolation (bwrap missing, user namespaces disabled,
 * capabilities or network leaking into the sandbox). A worker that gets this must not run jobs.
 */
public class SandboxUnavailableException extends SandboxException {

    public SandboxUnavailableException(String message) {
        super(message);
    }

    public SandboxUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
