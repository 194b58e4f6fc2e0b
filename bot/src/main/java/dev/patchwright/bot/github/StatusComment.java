package dev.patchwright.bot.github;

import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueComment;

import java.io.IOException;

/**
 * The one comment per issue where the bot says what it is doing, edited in place instead of adding
 * comments; a hidden marker lets the bot find it again.
 */
public final class StatusComment {

    static final String MARKER = "<!-- patchwright:status -->";

    private StatusComment() {
    }

    /**
     * Creates the status comment, or replaces the text of the existing one. Only a comment written by
     * {@code botLogin} counts: anyone can paste the marker into a comment of their own.
     */
    public static GHIssueComment upsert(GHIssue issue, String botLogin, String markdown) throws IOException {
        String body = GitHubLimits.body(MARKER + "\n" + markdown);
        for (GHIssueComment comment : issue.getComments()) {
            if (comment.getBody() != null && comment.getBody().startsWith(MARKER)
                    && comment.getUser() != null && botLogin.equals(comment.getUser().getLogin())) {
                comment.update(body);
                return comment;
            }
        }
        return issue.comment(body);
    }
}
