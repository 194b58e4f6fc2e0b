package dev.patchwright.bot.handlers;

import dev.patchwright.worker.solve.Revision;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHPullRequestReviewComment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The open review threads of a pull request, read from GitHub's review comments: comments are grouped by the thread
 * they start or answer, and a thread is open while someone allowed to ask for changes spoke after Patchwright's last
 * reply in it. GitHub keeps a thread's "resolved" mark only in its GraphQL API; here a thread is settled by
 * Patchwright's reply.
 */
public final class ReviewThreads {

    private ReviewThreads() {
    }

    /**
     * @param bot     Patchwright's login: its replies settle a thread and are shown as context
     * @param allowed whether a comment's author may ask for changes; others' comments, and other bots', are left out
     */
    public static List<Revision.ReviewThread> open(GHPullRequest pull, String bot, Predicate<String> allowed)
            throws IOException {
        Map<Long, List<GHPullRequestReviewComment>> threads = new LinkedHashMap<>();
        for (GHPullRequestReviewComment comment : pull.listReviewComments()) {
            long root = comment.getInReplyToId() > 0 ? comment.getInReplyToId() : comment.getId();
            threads.computeIfAbsent(root, key -> new ArrayList<>()).add(comment);
        }
        List<Revision.ReviewThread> open = new ArrayList<>();
        for (Map.Entry<Long, List<GHPullRequestReviewComment>> entry : threads.entrySet()) {
            List<GHPullRequestReviewComment> comments = entry.getValue();
            GHPullRequestReviewComment first = comments.get(0);
            List<Revision.Note> notes = new ArrayList<>();
            boolean asked = false;
            for (GHPullRequestReviewComment comment : comments) {
                String login = comment.getUser().getLogin();
                if (login.equals(bot)) {
                    notes.add(new Revision.Note("patchwright", comment.getBody()));
                    asked = false;
                } else if (!login.endsWith("[bot]") && allowed.test(login)) {
                    notes.add(new Revision.Note(login, comment.getBody()));
                    asked = true;
                }
            }
            if (asked) {
                int line = first.getLine();
                open.add(new Revision.ReviewThread(entry.getKey(), first.getPath(), line > 0 ? line : null,
                        first.getDiffHunk(), notes));
            }
        }
        return open;
    }
}
