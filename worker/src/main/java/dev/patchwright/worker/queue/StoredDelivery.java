package dev.patchwright.worker.queue;

/**
 * A webhook delivery as the inbox holds it.
 *
 * @param deliveryId     GitHub's {@code X-GitHub-Delivery}
 * @param event          GitHub's {@code X-GitHub-Event}, e.g. {@code issues}
 * @param action         the payload's {@code action}, or null
 * @param installationId the GitHub App installation, or null
 * @param repository     {@code owner/name}, or null
 * @param payloadJson    the payload as PostgreSQL's jsonb keeps it: the same JSON value, with
 *                       whitespace and key order normalized
 * @param status         {@code received}, {@code processing}, {@code handled}, {@code ignored}
 *                       or {@code failed}
 * @param attempts       how many times it was claimed
 * @param outcome        what handling it did, or why it was retried or failed; null before
 */
public record StoredDelivery(String deliveryId, String event, String action, Long installationId,
                             String repository, String payloadJson, String status, int attempts,
                             String outcome) {
}
