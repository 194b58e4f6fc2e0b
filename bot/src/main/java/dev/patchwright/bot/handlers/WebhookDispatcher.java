package dev.patchwright.bot.handlers;

import dev.patchwright.worker.queue.StoredDelivery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;

/** Routes a stored delivery to the handler for its event and action. */
@ApplicationScoped
public class WebhookDispatcher {

    @Inject
    StartOnIssueLabeled startOnIssueLabeled;

    @Inject
    CancelOnIssueClosed cancelOnIssueClosed;

    @Inject
    RunCommentCommand runCommentCommand;

    @Inject
    CloseLoopOnPullRequestClosed closeLoopOnPullRequestClosed;

    @Inject
    ReviewRevisions reviewRevisions;

    /**
     * @throws IOException when a GitHub call failed and the delivery should be tried again later
     */
    public HandlerOutcome dispatch(StoredDelivery delivery) throws IOException {
        String key = delivery.event() + (delivery.action() == null ? "" : "." + delivery.action());
        return switch (key) {
            case "issues.labeled" -> startOnIssueLabeled.handle(delivery);
            case "issues.unlabeled", "issues.closed" -> cancelOnIssueClosed.handle(delivery);
            case "issue_comment.created" -> runCommentCommand.handle(delivery);
            case "issue_comment.edited" -> HandlerOutcome.ignored("an edited comment never runs a command: it ran, or"
                    + " was refused, when the comment was posted");
            case "pull_request.closed" -> closeLoopOnPullRequestClosed.handle(delivery);
            case "pull_request_review.submitted" -> reviewRevisions.reviewSubmitted(delivery);
            case "pull_request_review_comment.created" -> reviewRevisions.commentCreated(delivery);
            case "ping" -> HandlerOutcome.ignored("ping: the webhook works");
            default -> HandlerOutcome.ignored("no handler for " + key);
        };
    }
}
