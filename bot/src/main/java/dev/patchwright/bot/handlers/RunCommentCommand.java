package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.queue.JobFilter;
import dev.patchwright.worker.queue.JobHistory;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.JobView;
import dev.patchwright.worker.queue.StoredDelivery;
import io.quarkiverse.githubapp.GitHubClientProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.kohsuke.github.GHEventPayload;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.ReactionContent;

import java.io.IOException;
import java.io.StringReader;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code issue_comment.created} holding a {@code /patchwright} command, on an issue or on one of the bot's pull
 * requests (where it acts on the pull request's issue): acknowledges it with a reaction at once, checks that its
 * author may trigger, and does what it asks. Comments by bots, the bot's own included, never run a command.
 */
@ApplicationScoped
public class RunCommentCommand {

    static final String BRANCH_PREFIX = "patchwright/issue-";

    @Inject
    GitHubClientProvider clients;

    @Inject
    ObjectMapper json;

    @Inject
    TriggerPolicy policy;

    @Inject
    SolveStarter starter;

    @Inject
    JobQueue queue;

    @Inject
    JobHistory history;

    @Inject
    BudgetLimits limits;

    @Inject
    SpendLedger ledger;

    HandlerOutcome handle(StoredDelivery delivery) throws IOException {
        JsonNode root = json.readTree(delivery.payloadJson());
        JsonNode author = root.path("comment").path("user");
        String login = author.path("login").asText("");
        if ("Bot".equals(author.path("type").asText()) || login.endsWith("[bot]")) {
            return HandlerOutcome.ignored("comments by bots (" + login + ") never run commands");
        }
        Optional<CommentCommand> found = CommentCommand.find(root.path("comment").path("body").asText(null));
        if (found.isEmpty()) {
            return HandlerOutcome.ignored("the comment holds no /patchwright command");
        }
        if (delivery.installationId() == null) {
            return HandlerOutcome.ignored("the delivery names no installation");
        }
        GitHub github = clients.getInstallationClient(delivery.installationId());
        GHEventPayload.IssueComment payload = github.parseEventPayload(new StringReader(delivery.payloadJson()),
                GHEventPayload.IssueComment.class);
        GHRepository repository = payload.getRepository();
        GHIssue thread = payload.getIssue();
        int issueNumber = thread.getNumber();
        if (thread.isPullRequest()) {
            String head = repository.getPullRequest(thread.getNumber()).getHead().getRef();
            Optional<Integer> linked = issueOfBranch(head);
            if (linked.isEmpty()) {
                return HandlerOutcome.ignored("commands on pull requests Patchwright did not open are not for it");
            }
            issueNumber = linked.get();
        }
        payload.getComment().createReaction(ReactionContent.EYES);

        CommentCommand command = found.get();
        if (command.verb() == CommentCommand.Verb.HELP) {
            thread.comment("@" + login + " " + CommentCommand.USAGE);
            return HandlerOutcome.acted("answered help");
        }
        if (command.verb() == CommentCommand.Verb.INVALID) {
            thread.comment("@" + login + " " + command.problem() + "\n\n" + CommentCommand.USAGE);
            return HandlerOutcome.acted("answered a command it could not read: " + command.problem());
        }
        SolveStarter.RepoSettings repo = starter.read(repository);
        TriggerPolicy.Verdict verdict = policy.check(github, delivery.installationId(), repository.getFullName(), login,
                repo.allowed());
        if (!verdict.allowed()) {
            thread.comment(verdict.refusal());
            return HandlerOutcome.acted(login + " may not use " + command.verb() + " here");
        }
        String name = repository.getFullName();
        return switch (command.verb()) {
            case FIX, RETRY -> start(delivery, repository, thread, issueNumber, repo, login, command);
            case STOP -> {
                int stopped = queue.cancel(name, issueNumber, "@" + login + " asked it to stop");
                thread.comment("@" + login + (stopped == 0 ? " Nothing is queued or running for #" + issueNumber + "."
                        : " Stopping the work on #" + issueNumber + ": a queued job ends now, a running one at its "
                        + "next step, and the money it held is released."));
                yield HandlerOutcome.acted(stopped == 0 ? "nothing to stop" : "stop requested for " + stopped + " job(s)");
            }
            case STATUS -> {
                thread.comment("@" + login + " " + status(name, issueNumber));
                yield HandlerOutcome.acted("answered status");
            }
            case BUDGET -> {
                thread.comment("@" + login + " " + budget(name, delivery.installationId(), issueNumber, repo));
                yield HandlerOutcome.acted("answered budget");
            }
            default -> throw new IllegalStateException("unhandled command " + command.verb());
        };
    }

    private HandlerOutcome start(StoredDelivery delivery, GHRepository repository, GHIssue thread, int issueNumber,
                                 SolveStarter.RepoSettings repo, String login, CommentCommand command)
            throws IOException {
        Money maximum = limits.maximums().perIssue();
        if (command.budget() != null && command.budget().exceeds(maximum)) {
            thread.comment("@" + login + " `budget=" + command.budget() + "` is more than the per-issue maximum of "
                    + maximum + " that the operator allows, so nothing was started. Ask for " + maximum + " or less.");
            return HandlerOutcome.acted("refused a budget of " + command.budget() + " over the maximum " + maximum);
        }
        GHIssue issue = issueNumber == thread.getNumber() ? thread : repository.getIssue(issueNumber);
        if (issue.getState() == GHIssueState.CLOSED) {
            thread.comment("@" + login + " #" + issueNumber + " is closed; reopen it first.");
            return HandlerOutcome.acted("the issue is closed");
        }
        HandlerOutcome outcome = starter.start(delivery, repository, issue, repo, login, command.budget());
        if (!outcome.acted()) {
            thread.comment("@" + login + " Patchwright is already working on #" + issueNumber
                    + "; `/patchwright stop` stops it.");
        }
        return outcome;
    }

    private String status(String repository, int issueNumber) {
        Optional<JobView> last = history.find(new JobFilter(repository, null, null), 500).stream()
                .filter(job -> Objects.equals(job.issueNumber(), issueNumber)).findFirst();
        if (last.isEmpty()) {
            return "Patchwright has not worked on #" + issueNumber + " yet.";
        }
        JobView job = last.get();
        String text = "The latest " + job.kind() + " job for #" + issueNumber + " (" + job.id() + ") is " + job.status()
                + (job.status().equals("running") && job.cancelRequested() ? ", stopping" : "");
        if (job.resultUrl() != null) {
            text += ": " + job.resultUrl();
        } else if (job.reason() != null && !job.status().equals("queued") && !job.status().equals("running")) {
            text += ": " + job.reason();
        }
        return text + ".";
    }

    private String budget(String repository, Long installationId, int issueNumber, SolveStarter.RepoSettings repo) {
        Limits effective = limits.effective(repository, installationId, repo.config() == null ? null
                : repo.config().budget());
        Money[] issue = ledger.issueTotal(repository, issueNumber);
        SpendLedger.MonthSpend month = ledger.repositoryMonth(repository);
        Money repoLeft = effective.repositoryMonthly().minus(month.spent()).minus(month.held());
        return "#" + issueNumber + " has spent " + issue[0] + (issue[1].isZero() ? "" : " (and holds " + issue[1]
                + " for calls in progress)") + "; each run on it may spend up to " + effective.perIssue()
                + " (ask for up to " + limits.maximums().perIssue() + " with `/patchwright fix budget=$N`). This "
                + "repository spent " + month.spent() + " in " + month.month() + " and has "
                + (repoLeft.isNegative() ? Money.ZERO : repoLeft) + " left of its " + effective.repositoryMonthly()
                + " monthly budget.";
    }

    /** The issue a bot branch ({@code patchwright/issue-N}) works on. */
    static Optional<Integer> issueOfBranch(String branch) {
        if (branch == null || !branch.startsWith(BRANCH_PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(branch.substring(BRANCH_PREFIX.length())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
