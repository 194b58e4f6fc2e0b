package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.bot.github.BotIdentity;
import dev.patchwright.bot.jobs.WorkerNode;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.NewJob;
import dev.patchwright.worker.queue.StoredDelivery;
import dev.patchwright.worker.run.SolveJobPayload;
import dev.patchwright.worker.solve.Revision;
import io.quarkiverse.githubapp.GitHubClientProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reviews on Patchwright's own pull requests become revisions. A review that requests changes, or a comment review
 * with text and line comments, is one job at once: its text, its comments and the earlier open threads; a comment
 * review without line comments ("looks good") and an approval start nothing. Line comments made on their
 * own (GitHub sends each as a one-comment review without text, and as a review comment) are gathered for
 * {@code patchwright.trigger.review-debounce} after the last one ({@link ReviewDebounce}), so ten comments make one
 * job. Only users allowed to trigger are heard; bots, Patchwright included, never start a revision.
 */
@ApplicationScoped
public class ReviewRevisions {

    private static final Logger LOG = Logger.getLogger(ReviewRevisions.class);

    @Inject
    ObjectMapper json;

    @Inject
    GitHubClientProvider clients;

    @Inject
    BotIdentity bot;

    @Inject
    TriggerPolicy policy;

    @Inject
    SolveStarter starter;

    @Inject
    JobQueue queue;

    @Inject
    WorkerNode runner;

    @Inject
    ReviewDebounce debounce;

    @Inject
    PatchwrightConfig config;

    /** {@code pull_request_review.submitted}. */
    public HandlerOutcome reviewSubmitted(StoredDelivery delivery) throws IOException {
        JsonNode root = json.readTree(delivery.payloadJson());
        JsonNode review = root.path("review");
        Optional<String> skip = notForUs(delivery, root.path("pull_request"), review.path("user"));
        if (skip.isPresent()) {
            return HandlerOutcome.ignored(skip.get());
        }
        String state = review.path("state").asText("").toLowerCase(java.util.Locale.ROOT);
        String body = review.path("body").isTextual() ? review.path("body").asText() : "";
        if (state.equals("approved") || state.equals("dismissed")) {
            return HandlerOutcome.ignored("a review that " + state.replace("approved", "approves")
                    .replace("dismissed", "was dismissed") + " asks for no change");
        }
        String repository = delivery.repository();
        int pull = root.path("pull_request").path("number").asInt();
        String login = review.path("user").path("login").asText();
        GitHub github = clients.getInstallationClient(delivery.installationId());
        GHRepository repo = github.getRepository(repository);
        SolveStarter.RepoSettings settings = starter.read(repo);
        TriggerPolicy.Verdict verdict = policy.check(github, delivery.installationId(), repository, login,
                settings.allowed());
        boolean deliberate = state.equals("changes_requested") || !body.isBlank();
        if (deliberate && !state.equals("changes_requested")
                && !hasLineComments(repo.getPullRequest(pull), review.path("id").asLong())) {
            // "Looks good, thanks!": a comment review without line comments is talk, not a paid run.
            return HandlerOutcome.ignored("a comment review without line comments asks for no change; request changes"
                    + " or comment on lines for a revision");
        }
        if (!verdict.allowed()) {
            if (deliberate) {
                repo.getPullRequest(pull).comment(verdict.refusal());
            }
            return HandlerOutcome.ignored(login + " may not ask for revisions here");
        }
        if (!deliberate) {
            // A line comment on its own: gathered with the others that follow it.
            return later(delivery.installationId(), repository, pull);
        }
        return enqueue(github, delivery.installationId(), repo, settings, pull, login, body)
                .orElseGet(() -> later(delivery.installationId(), repository, pull));
    }

    /** {@code pull_request_review_comment.created}: gathered for the debounce window. */
    public HandlerOutcome commentCreated(StoredDelivery delivery) throws IOException {
        JsonNode root = json.readTree(delivery.payloadJson());
        Optional<String> skip = notForUs(delivery, root.path("pull_request"), root.path("comment").path("user"));
        if (skip.isPresent()) {
            return HandlerOutcome.ignored(skip.get());
        }
        // Who wrote it is checked when the window ends, for every comment gathered then.
        return later(delivery.installationId(), delivery.repository(), root.path("pull_request").path("number").asInt());
    }

    /**
     * The end of a debounce window: the pull request's open threads, if any, become one revision. When a revision
     * of the same issue is still queued or running, the window starts again, so nothing said is lost.
     */
    void gathered(long installationId, String repository, int pull) throws IOException {
        GitHub github = clients.getInstallationClient(installationId);
        GHRepository repo = github.getRepository(repository);
        Optional<HandlerOutcome> outcome = enqueue(github, installationId, repo, starter.read(repo), pull, null, "");
        if (outcome.isEmpty()) {
            later(installationId, repository, pull);
        } else {
            LOG.infof("Review comments on %s#%d: %s", repository, pull, outcome.get().text());
        }
    }

    private static boolean hasLineComments(GHPullRequest pull, long reviewId) throws IOException {
        for (org.kohsuke.github.GHPullRequestReviewComment comment : pull.listReviewComments()) {
            Long of = comment.getPullRequestReviewId();
            if (of != null && of == reviewId) {
                return true;
            }
        }
        return false;
    }

    /** Why a delivery is not a revision's business, or empty when it is. */
    private Optional<String> notForUs(StoredDelivery delivery, JsonNode pull, JsonNode author) throws IOException {
        String login = author.path("login").asText("");
        if (delivery.repository() == null || delivery.installationId() == null) {
            return Optional.of("the delivery names no repository or installation");
        }
        if (RunCommentCommand.issueOfBranch(pull.path("head").path("ref").asText(null)).isEmpty()
                || !bot.login().equals(pull.path("user").path("login").asText())) {
            return Optional.of("not a pull request Patchwright opened");
        }
        if ("Bot".equals(author.path("type").asText()) || login.endsWith("[bot]") || login.equals(bot.login())) {
            return Optional.of("reviews and comments by bots (" + login + ") never start a revision");
        }
        if (!"open".equals(pull.path("state").asText("open"))) {
            return Optional.of("the pull request is closed");
        }
        return Optional.empty();
    }

    private HandlerOutcome later(long installationId, String repository, int pull) {
        Instant due = debounce.schedule(installationId, repository, pull, config.trigger().reviewDebounce());
        return HandlerOutcome.acted("review comments on #" + pull + " are gathered until " + due);
    }

    /**
     * Gathers the open threads and queues the revision.
     *
     * @param reviewer who submitted the review, or null for gathered line comments (the last commenter then)
     * @return what was done, or empty when a revision of the issue is already queued or running
     */
    private Optional<HandlerOutcome> enqueue(GitHub github, long installationId, GHRepository repo,
                                             SolveStarter.RepoSettings settings, int pullNumber, String reviewer,
                                             String reviewBody) throws IOException {
        GHPullRequest pull = repo.getPullRequest(pullNumber);
        Optional<Integer> issueNumber = RunCommentCommand.issueOfBranch(pull.getHead().getRef());
        if (issueNumber.isEmpty() || pull.getState() != GHIssueState.OPEN) {
            return Optional.of(HandlerOutcome.ignored("#" + pullNumber + " is closed or not Patchwright's"));
        }
        if (settings.problem() != null) {
            pull.comment("Patchwright cannot revise this pull request: " + settings.problem());
            return Optional.of(HandlerOutcome.acted("the repository configuration is invalid"));
        }
        Map<String, Boolean> verdicts = new HashMap<>();
        String botLogin = bot.login();
        List<Revision.ReviewThread> threads = ReviewThreads.open(pull, botLogin, login -> verdicts.computeIfAbsent(login,
                who -> {
                    try {
                        return policy.check(github, installationId, repo.getFullName(), who, settings.allowed())
                                .allowed();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
        String asker = reviewer;
        if (asker == null) {
            asker = threads.isEmpty() ? "" : threads.get(threads.size() - 1).notes().stream()
                    .filter(note -> !note.author().equals("patchwright")).reduce((a, b) -> b)
                    .map(Revision.Note::author).orElse("");
        }
        Revision revision = new Revision(pullNumber, pull.getBase().getRef(), asker, reviewBody, threads);
        if (revision.empty()) {
            return Optional.of(HandlerOutcome.ignored("no open thread on #" + pullNumber + " asks for a change"));
        }
        GHIssue issue = repo.getIssue(issueNumber.get());
        SolveJobPayload payload = new SolveJobPayload(installationId, repo.getFullName(), repo.getHttpTransportUrl(),
                repo.getDefaultBranch(), issue.getNumber(), issue.getTitle(), issue.getBody(), asker,
                settings.yaml().orElse(""), null, revision);
        Optional<Long> id = queue.enqueue(new NewJob("revise", repo.getFullName(), installationId, issue.getNumber(),
                null, toJson(payload), 3));
        if (id.isEmpty()) {
            return Optional.empty();
        }
        runner.wake();
        return Optional.of(HandlerOutcome.acted("revision job " + id.get() + " queued for #" + pullNumber + " ("
                + revision.threads().size() + " thread(s))"));
    }

    private String toJson(SolveJobPayload payload) {
        try {
            return json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the job payload", e);
        }
    }
}
