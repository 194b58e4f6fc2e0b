package dev.patchwright.bot.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.handlers.WebhookDispatcher;
import dev.patchwright.worker.queue.GroupCommit;
import dev.patchwright.worker.queue.NewDelivery;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * GitHub's webhook endpoint. It verifies the signature, stores the delivery in PostgreSQL (unique by
 * {@code X-GitHub-Delivery}) and only then answers 202, so a crash after the answer loses nothing;
 * handling works from the stored row. Concurrent deliveries are committed together ({@link GroupCommit}): one disk
 * flush answers them all. No thread waits for a commit: the event loop that read a delivery checks it and queues it,
 * and the answer is written when its group has committed. The GitHub App extension's own route answers before its
 * handlers run and checks signatures only in production mode, which is why this one exists.
 */
@Path("/webhook")
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);
    /**
     * Bodies up to this size are checked (signature, JSON) on the event loop that read them, in microseconds; a larger
     * one (GitHub sends up to 25 MB) is checked on a worker thread, so that it holds up no other delivery.
     */
    static final int CHECK_ON_EVENT_LOOP_BYTES = 64 * 1024;

    @Inject
    GroupCommit intake;

    @Inject
    DeliveryProcessor processor;

    @Inject
    ObjectMapper json;

    @Inject
    ManagedExecutor executor;

    @Inject
    IntakeRehearsal rehearsal;

    @ConfigProperty(name = "quarkus.github-app.webhook-secret")
    Optional<String> secret;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> receive(@HeaderParam("X-GitHub-Event") String event,
                                             @HeaderParam("X-GitHub-Delivery") String deliveryId,
                                             @HeaderParam("X-Hub-Signature-256") String signature,
                                             @HeaderParam(IntakeRehearsal.HEADER) String rehearsalToken,
                                             byte[] body) {
        byte[] payload = body == null ? new byte[0] : body;
        if (payload.length > CHECK_ON_EVENT_LOOP_BYTES) {
            return CompletableFuture.supplyAsync(() -> check(event, deliveryId, signature, rehearsalToken, payload),
                    executor).thenCompose(this::store);
        }
        return store(check(event, deliveryId, signature, rehearsalToken, payload));
    }

    /** What a delivery turned out to be before storing: a refusal, or a delivery to store (or to rehearse). */
    private record Checked(Response refusal, NewDelivery delivery, boolean rehearsal) {
    }

    private Checked check(String event, String deliveryId, String signature, String rehearsalToken, byte[] payload) {
        if (secret.isEmpty() || secret.get().isBlank()) {
            LOG.error("Refused a webhook: no webhook secret is configured (quarkus.github-app.webhook-secret)");
            return refuse(503, "this bot has no webhook secret configured, so it cannot verify deliveries");
        }
        if (signature == null || signature.isBlank()) {
            return refuse(401, "missing X-Hub-Signature-256 header");
        }
        if (!WebhookSignature.matches(secret.get(), payload, signature)) {
            LOG.warnf("Refused delivery %s: X-Hub-Signature-256 does not match the body", deliveryId);
            return refuse(401, "X-Hub-Signature-256 does not match the body and the webhook secret");
        }
        if (rehearsalToken != null && !rehearsal.isToken(rehearsalToken)) {
            LOG.warnf("Refused delivery %s: it carries %s, which only this node's own warm-up may send",
                    deliveryId, IntakeRehearsal.HEADER);
            return refuse(401, IntakeRehearsal.HEADER + " is not this node's: only its own warm-up sends rehearsals");
        }
        if (event == null || event.isBlank()) {
            return refuse(400, "missing X-GitHub-Event header");
        }
        if (deliveryId == null || deliveryId.isBlank() || deliveryId.length() > 200) {
            return refuse(400, "missing or invalid X-GitHub-Delivery header");
        }
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (JsonProcessingException e) {
            return refuse(400, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return refuse(400, "the body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return refuse(400, "the body is not a JSON object");
        }
        StorablePayload.Stored stored;
        try {
            stored = StorablePayload.of(payload, root, json);
        } catch (JsonProcessingException e) {
            return refuse(400, "the body could not be stored: " + e.getOriginalMessage());
        }
        if (stored.replaced() > 0) {
            LOG.infof("Delivery %s: %d NUL or unpaired surrogate characters, which PostgreSQL's jsonb cannot hold,"
                    + " are stored as U+FFFD", deliveryId, stored.replaced());
        }
        String action = text(root.path("action"));
        Long installationId = root.path("installation").path("id").isIntegralNumber()
                ? root.path("installation").path("id").asLong() : null;
        String repository = text(root.path("repository").path("full_name"));
        return new Checked(null, new NewDelivery(deliveryId, event, action, installationId, repository,
                stored.text(), WebhookDispatcher.withoutHandler(event, action).orElse(null)), rehearsalToken != null);
    }

    /** Answers once the delivery is committed (with the group it joined), never before. */
    private CompletionStage<Response> store(Checked checked) {
        if (checked.refusal() != null) {
            return CompletableFuture.completedFuture(checked.refusal());
        }
        NewDelivery delivery = checked.delivery();
        if (checked.rehearsal()) {
            return intake.rehearse(delivery).thenApply(recorded -> Response.accepted(
                    Map.of("delivery", delivery.deliveryId(), "status", "rehearsed: nothing stored")).build());
        }
        // Not on the group's writer thread, which goes on to the next group: the log line and the hand-over wait for no
        // commit of anyone else's.
        return intake.submit(delivery).thenApplyAsync(recorded -> {
            if (!recorded) {
                LOG.infof("Delivery %s was already recorded; nothing new", delivery.deliveryId());
                return Response.ok(Map.of("delivery", delivery.deliveryId(), "status", "duplicate")).build();
            }
            LOG.infof("Recorded delivery %s: %s%s for %s%s", delivery.deliveryId(), delivery.event(),
                    delivery.action() == null ? "" : "." + delivery.action(),
                    delivery.repository() == null ? "no repository" : delivery.repository(),
                    delivery.ignoredBecause() == null ? "" : " (ignored: " + delivery.ignoredBecause() + ")");
            if (delivery.ignoredBecause() == null) {
                processor.submit(delivery.deliveryId());
            }
            return Response.accepted(Map.of("delivery", delivery.deliveryId(), "status", "accepted")).build();
        }, executor);
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    private static Checked refuse(int status, String message) {
        return new Checked(Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message))
                .build(), null, false);
    }
}
