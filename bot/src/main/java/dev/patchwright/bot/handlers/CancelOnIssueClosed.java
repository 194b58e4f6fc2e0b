package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.StoredDelivery;
import io.quarkiverse.githubapp.GitHubClientProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;

/**
 * {@code issues.closed}, or the trigger label (the operator's or the repository's own) removed: cancels the
 * issue's jobs, queued ones at once, running ones at their next step.
 */
@ApplicationScoped
public class CancelOnIssueClosed {

    @Inject
    JobQueue queue;

    @Inject
    ObjectMapper json;

    @Inject
    PatchwrightConfig config;

    @Inject
    GitHubClientProvider clients;

    @Inject
    SolveStarter starter;

    HandlerOutcome handle(StoredDelivery delivery) throws IOException {
        JsonNode root = json.readTree(delivery.payloadJson());
        int number = root.path("issue").path("number").asInt(0);
        if (delivery.repository() == null || number == 0) {
            return HandlerOutcome.ignored("the delivery names no issue");
        }
        String reason = "the issue was closed";
        if ("unlabeled".equals(delivery.action())) {
            String label = root.path("label").path("name").asText(null);
            if (!isTriggerLabel(delivery, label)) {
                return HandlerOutcome.ignored("label '" + label + "' is not the trigger label");
            }
            reason = "its trigger label was removed";
        }
        int cancelled = queue.cancel(delivery.repository(), number, reason);
        return cancelled == 0 ? HandlerOutcome.ignored("no job to cancel")
                : HandlerOutcome.acted("cancelled " + cancelled + " job(s)");
    }

    private boolean isTriggerLabel(StoredDelivery delivery, String label) throws IOException {
        if (label == null) {
            return false;
        }
        if (config.trigger().label().equals(label)) {
            return true;
        }
        if (delivery.installationId() == null) {
            return false;
        }
        SolveStarter.RepoSettings repo = starter.read(
                clients.getInstallationClient(delivery.installationId()).getRepository(delivery.repository()));
        return repo.config() != null && repo.config().triggerLabel().equals(label);
    }
}
