package dev.patchwright.bot.handlers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which deliveries the intake may store as ignored at once, because no handler would read them. */
class WebhookDispatcherTest {

    @Test
    void everyEventAHandlerReadsGoesToTheHandlers() {
        for (String[] handled : new String[][] {{"issues", "labeled"}, {"issues", "unlabeled"}, {"issues", "closed"},
                {"issue_comment", "created"}, {"pull_request", "closed"}, {"pull_request_review", "submitted"},
                {"pull_request_review_comment", "created"}}) {
            assertThat(WebhookDispatcher.withoutHandler(handled[0], handled[1])).as(String.join(".", handled)).isEmpty();
        }
    }

    @Test
    void theRestIsIgnoredWithTheReasonAnOperatorReads() {
        assertThat(WebhookDispatcher.withoutHandler("issues", "opened")).contains("no handler for issues.opened");
        assertThat(WebhookDispatcher.withoutHandler("star", "created")).contains("no handler for star.created");
        assertThat(WebhookDispatcher.withoutHandler("push", null)).contains("no handler for push");
        assertThat(WebhookDispatcher.withoutHandler("ping", null)).contains("ping: the webhook works");
        assertThat(WebhookDispatcher.withoutHandler("issue_comment", "edited")).hasValueSatisfying(reason ->
                assertThat(reason).contains("edited comment never runs a command"));
        // An action of a handled event that its handler does not take is ignored too.
        assertThat(WebhookDispatcher.withoutHandler("pull_request", "opened")).contains("no handler for pull_request.opened");
    }
}
