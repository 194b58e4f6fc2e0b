package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.Database;

/**
 * A webhook delivery to be recorded, as the endpoint received it.
 *
 * @param deliveryId     GitHub's {@code X-GitHub-Delivery}, unique per delivery
 * @param event          GitHub's {@code X-GitHub-Event}
 * @param action         the payload's {@code action}, or null
 * @param installationId the GitHub App installation, or null
 * @param repository     {@code owner/name}, or null
 * @param payloadJson    the payload, JSON that PostgreSQL's jsonb accepts
 */
public record NewDelivery(String deliveryId, String event, String action, Long installationId, String repository,
                          String payloadJson) {

    /** @throws IllegalArgumentException when {@code deliveryId} or {@code event} is blank, or the payload is null */
    public NewDelivery {
        Database.requireText(deliveryId, "deliveryId");
        Database.requireText(event, "event");
        if (payloadJson == null) {
            throw new IllegalArgumentException("payloadJson must not be null");
        }
    }
}
