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
 * @param ignoredBecause null for a delivery to be handled; for one that no handler takes (its event and action
 *                       say so), why: it is then stored as {@code ignored} with this outcome and never claimed
 */
public record NewDelivery(String deliveryId, String event, String action, Long installationId, String repository,
                          String payloadJson, String ignoredBecause) {

    /** A delivery to be handled. */
    public NewDelivery(String deliveryId, String event, String action, Long installationId, String repository,
                       String payloadJson) {
        this(deliveryId, event, action, installationId, repository, payloadJson, null);
    }

    /** @throws IllegalArgumentException when {@code deliveryId} or {@code event} is blank, or the payload is null */
    public NewDelivery {
        Database.requireText(deliveryId, "deliveryId");
        Database.requireText(event, "event");
        if (payloadJson == null) {
            throw new IllegalArgumentException("payloadJson must not be null");
        }
    }
}
