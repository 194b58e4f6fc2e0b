package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.github.BotIdentity;
import dev.patchwright.bot.github.StatusComment;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.StoredDelivery;
import io.quarkiverse.githubapp.GitHubClientProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.util.Optional;

/**
 * {@code pull_request.closed} on one of the bot's pull requests: merged, the status comment on its issue says the
 * loop is closed; closed unmerged, its revisions are cancelled and the status comment says so.
 */
@ApplicationScoped
public class CloseLoopOnPullRequestClosed {

    @Inject
    ObjectMapper json;

    @Inject
    JobQueue queue;

    @Inject
    GitHubClientProvider clients;

    @Inject
    BotIdentity bot;

    @Inject
    ReviewDebounce debounce;

    HandlerOutcome handle(StoredDelivery delivery) throws IOException {
        JsonNode pull = json.readTree(delivery.payloadJson()).path("pull_request");
        Optional<Integer> issue = RunCommentCommand.issueOfBranch(pull.path("head").path("ref").asText(null));
        if (issue.isEmpty() || delivery.repository() == null || delivery.installationId() == null
                || !bot.login().equals(pull.path("user").path("login").asText())) {
            return HandlerOutcome.ignored("not a pull request Patchwright opened");
        }
        int number = pull.path("number").asInt();
        boolean merged = pull.path("merged").asBoolean(false);
        String by = merged ? pull.path("merged_by").path("login").asText("") : "";
        debounce.cancel(delivery.repository(), number);
        int cancelled = queue.cancel(delivery.repository(), issue.get(), "revise",
                "its pull request #" + number + " was " + (merged ? "merged" : "closed"));
        String text = merged
                ? "Patchwright's pull request #" + number + " was merged" + (by.isEmpty() ? "" : " by @" + by)
                + ". The work on this issue is done."
                : "Patchwright's pull request #" + number + " was closed without merging"
                + (cancelled == 0 ? "." : "; its pending revisions were cancelled.")
                + " Add the trigger label again or comment `/patchwright fix` to try anew.";
        StatusComment.upsert(clients.getInstallationClient(delivery.installationId())
                .getRepository(delivery.repository()).getIssue(issue.get()), bot.login(), text);
        return HandlerOutcome.acted((merged ? "merged" : "closed unmerged") + "; " + cancelled + " revision(s) cancelled");
    }
}
