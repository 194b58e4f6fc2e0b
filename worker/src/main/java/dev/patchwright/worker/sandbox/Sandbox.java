package dev.patchwright.worker.sandbox;

/**
 * Runs one shell command of a repository (setup or tests: code nobody reviewed) in isolation,
 * within a time, memory and output limit.
 */
public interface Sandbox {

    /**
     * Runs {@code spec.command()} with {@code /bin/sh -c} and waits for it, or for its time limit.
     * A command that fails, times out or runs out of memory is a normal result, not an exception.
     *
     * @return how the command ended and what it printed
     * @throws SandboxException when the sandbox itself could not run the command (bad spec,
     *                          missing tools, an unreadable work directory)
     */
    SandboxResult run(SandboxSpec spec) throws SandboxException;
}
