package dev.patchwright.worker.queue;

/**
 * A job a worker now holds under a lease.
 *
 * @param id             the job id
 * @param kind           {@code solve} or {@code revise}
 * @param repository     {@code owner/name}
 * @param installationId the GitHub App installation, or null
 * @param issueNumber    the issue or pull request number, or null
 * @param payloadJson    the job's payload, as jsonb keeps it
 * @param attempt        which attempt this is, counting from 1
 * @param maxAttempts    the most attempts the job gets
 * @param startedAt      when the job first started running, on any attempt (the per-issue time limit counts from it)
 */
public record ClaimedJob(long id, String kind, String repository, Long installationId,
                         Integer issueNumber, String payloadJson, int attempt, int maxAttempts,
                         java.time.Instant startedAt) {
}
