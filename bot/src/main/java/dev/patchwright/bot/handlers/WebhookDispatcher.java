package dev.patchwright.bot.handlers;

import dev.patchwright.worker.queue.StoredDelivery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

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

    /** The events and actions a handler reads; every other delivery is ignored, and the intake stores it so. */
    private static final Set<String> HANDLED = Set.of("issues.labeled", "issues.unlabeled", "issues.closed",
            "issue_comment.created", "pull_request.closed", "pull_request_review.submitted",
            "pull_request_review_comment.created");

    /**
     * @throws IOException when a GitHub call failed and the delivery should be tried again later
     */
    public HandlerOutcome dispatch(StoredDelivery delivery) throws IOException {
        Optional<String> ignored = withoutHandler(delivery.event(), delivery.action());
        if (ignored.isPresent()) {
            return HandlerOutcome.ignored(ignored.get());
        }
        String key = key(delivery.event(), delivery.action());
        return switch (key) {
            case "issues.labeled" -> startOnIssueLabeled.handle(delivery);
            case "issues.unlabeled", "issues.closed" -> cancelOnIssueClosed.handle(delivery);
            case "issue_comment.created" -> runCommentCommand.handle(delivery);
            case "pull_request.closed" -> closeLoopOnPullRequestClosed.handle(delivery);
            case "pull_request_review.submitted" -> reviewRevisions.reviewSubmitted(delivery);
            case "pull_request_review_comment.created" -> reviewRevisions.commentCreated(delivery);
            default -> throw new IllegalStateException(key + " is listed as handled but no handler takes it");
        };
    }

    /**
     * Why a delivery of this event and action is ignored whatever it holds, or empty when a handler reads it. The
     * intake stores such a delivery as ignored at once, so that most of what GitHub sends an App costs one insert;
     * {@link #dispatch} answers the same for one stored before.
     */
    public static Optional<String> withoutHandler(String event, String action) {
        String key = key(event, action);
        if (HANDLED.contains(key)) {
            return Optional.empty();
        }
        return Optional.of(switch (key) {
            case "issue_comment.edited" -> "an edited comment never runs a command: it ran, or was refused, when the"
                    + " comment was posted";
            case "ping" -> "ping: the webhook works";
            default -> "no handler for " + key;
        });
    }

    private static String key(String event, String action) {
        return event + (action == null ? "" : "." + action);
    }
}
