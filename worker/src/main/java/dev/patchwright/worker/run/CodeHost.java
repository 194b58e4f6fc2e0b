package dev.patchwright.worker.run;

import dev.patchwright.worker.git.GitCredentials;
import dev.patchwright.worker.solve.Publisher;

import java.io.IOException;

/**
 * Where the repositories live and the results go (GitHub, in the bot). The job runner knows it only through
 * this interface, so {@code worker} never sees the host's types.
 */
public interface CodeHost {

    /**
     * Short-lived credentials to fetch from and push to the job's repository. They stay in memory: never logged,
     * never put in a prompt or a sandbox.
     *
     * @throws IOException when the host cannot issue them now (the job is retried later)
     */
    GitCredentials credentials(SolveJobPayload payload) throws IOException;

    /** Where this job's result, progress and failures are said. */
    Publisher publisher(SolveJobPayload payload);
}
