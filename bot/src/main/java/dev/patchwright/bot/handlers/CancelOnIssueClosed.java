package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.StoredDelivery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;

/** {@code issues.closed}, or the trigger label removed: cancels the issue's queued job. */
@ApplicationScoped
public class CancelOnIssueClosed {

    @Inject
    JobQueue queue;

    @Inject
    ObjectMapper json;

    @Inject
    PatchwrightConfig config;

    HandlerOutcome handle(StoredDelivery delivery) throws IOException {
        JsonNode root = json.readTree(delivery.payloadJson());
        int number = root.path("issue").path("number").asInt(0);
        if (delivery.repository() == null || number == 0) {
            return HandlerOutcome.ignored("the delivery names no issue");
        }
        String label = root.path("label").path("name").asText(null);
        if ("unlabeled".equals(delivery.action()) && !config.trigger().label().equals(label)) {
            return HandlerOutcome.ignored("label '" + label + "' is not the trigger label");
        }
        int cancelled = queue.cancel(delivery.repository(), number, "issues." + delivery.action());
        return cancelled == 0 ? HandlerOutcome.ignored("no job to cancel")
                : HandlerOutcome.acted("cancelled " + cancelled + " job(s)");
    }
}
