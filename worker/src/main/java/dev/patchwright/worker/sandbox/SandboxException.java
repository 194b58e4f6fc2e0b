package dev.patchwright.worker.sandbox;

/** The sandbox could not run a command at all; the message says why and what to do. */
public class SandboxException extends Exception {

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
