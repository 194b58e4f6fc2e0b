package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;

/**
 * A job to put on the queue.
 *
 * @param kind           {@code solve} (an issue) or {@code revise} (a review on a bot pull request)
 * @param repository     {@code owner/name}
 * @param installationId the GitHub App installation, or null (a job not started from GitHub)
 * @param issueNumber    the issue or pull request number, or null; jobs without one are never
 *                       deduplicated by issue
 * @param deliveryId     the webhook delivery that asked for it, or null; one delivery makes at
 *                       most one job
 * @param payloadJson    what the runner needs, as a JSON document
 * @param maxAttempts    how many times it may be claimed before it fails, at least 1
 */
public record NewJob(String kind, String repository, Long installationId, Integer issueNumber,
                     String deliveryId, String payloadJson, int maxAttempts) {

    public NewJob {
        if (!"solve".equals(kind) && !"revise".equals(kind)) {
            throw new IllegalArgumentException("job kind must be solve or revise, got '" + kind + "'");
        }
        Database.requireText(repository, "repository");
        if (payloadJson == null) {
            throw new IllegalArgumentException("payloadJson must not be null");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }
}
