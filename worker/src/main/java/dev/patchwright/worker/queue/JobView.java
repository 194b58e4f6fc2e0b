package dev.patchwright.worker.queue;

import java.time.Instant;

/**
 * A job as the dashboard and tests see it.
 *
 * @param id              the job id
 * @param kind            {@code solve} or {@code revise}
 * @param status          {@code queued}, {@code running}, {@code succeeded}, {@code failed} or
 *                        {@code cancelled}
 * @param repository      {@code owner/name}
 * @param installationId  the GitHub App installation, or null
 * @param issueNumber     the issue or pull request number, or null
 * @param deliveryId      the webhook delivery that made it, or null
 * @param attempts        how many times it was claimed
 * @param maxAttempts     the most claims it gets
 * @param runAfter        when it may be claimed (retry backoff)
 * @param leaseOwner      the worker running it, or the last one that did; null while queued
 * @param leaseExpiresAt  when the running worker's lease runs out; null unless running
 * @param cancelRequested whether a cancel reached it while it was running
 * @param createdAt       when it was enqueued
 * @param updatedAt       its last change
 * @param finishedAt      when it ended, or null
 * @param outcome         what it achieved, or null
 * @param reason          why it failed, was cancelled or last retried, or null
 * @param resultUrl       the pull request or comment it produced, or null
 */
public record JobView(long id, String kind, String status, String repository, Long installationId,
                      Integer issueNumber, String deliveryId, int attempts, int maxAttempts,
                      Instant runAfter, String leaseOwner, Instant leaseExpiresAt,
                      boolean cancelRequested, Instant createdAt, Instant updatedAt,
                      Instant finishedAt, String outcome, String reason, String resultUrl) {
}
