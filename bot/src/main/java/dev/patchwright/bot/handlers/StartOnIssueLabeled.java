package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.bot.github.BotIdentity;
import dev.patchwright.bot.github.StatusComment;
import dev.patchwright.bot.jobs.WorkerNode;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.run.SolveJobPayload;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.config.RepoConfigException;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.NewJob;
import dev.patchwright.worker.queue.StoredDelivery;
import dev.patchwright.worker.solve.RepoConfigFile;
import dev.patchwright.worker.solve.SolveSettings;
import io.quarkiverse.githubapp.GitHubClientProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.kohsuke.github.GHContent;
import org.kohsuke.github.GHEventPayload;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHPermissionType;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.ReactionContent;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** {@code issues.labeled} with the trigger label, by a user with write access: records a solve job. */
@ApplicationScoped
public class StartOnIssueLabeled {

    @Inject
    GitHubClientProvider clients;

    @Inject
    JobQueue queue;

    @Inject
    WorkerNode runner;

    @Inject
    PatchwrightConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    BotIdentity bot;

    @Inject
    SolveSettings settings;

    @Inject
    BudgetLimits limits;

    @Inject
    SpendLedger ledger;

    HandlerOutcome handle(StoredDelivery delivery) throws IOException {
        if (delivery.installationId() == null) {
            return HandlerOutcome.ignored("the delivery names no installation");
        }
        GitHub github = clients.getInstallationClient(delivery.installationId());
        GHEventPayload.Issue payload = github.parseEventPayload(new StringReader(delivery.payloadJson()),
                GHEventPayload.Issue.class);
        GHIssue issue = payload.getIssue();
        GHRepository repository = payload.getRepository();
        String label = payload.getLabel() == null ? null : payload.getLabel().getName();
        if (issue.isPullRequest()) {
            return HandlerOutcome.ignored("labels on pull requests do not start work");
        }

        Optional<String> yaml = readConfig(repository);
        RepoConfig repoConfig = null;
        String configProblem;
        try {
            configProblem = null;
            // Without the file every setting is the default, and the worker detects the build.
            repoConfig = yaml.isEmpty() ? RepoConfig.detected() : RepoConfig.parse(yaml.get(), RepoConfigFile.PATH);
        } catch (RepoConfigException e) {
            configProblem = e.getMessage();
        }
        String trigger = repoConfig != null ? repoConfig.triggerLabel() : config.trigger().label();
        if (!trigger.equals(label)) {
            return HandlerOutcome.ignored("label '" + label + "' is not the trigger label '" + trigger + "'");
        }

        String login = payload.getSender().getLogin();
        GHPermissionType permission = repository.getPermission(login);
        if (!allowed(permission)) {
            issue.comment("@" + login + " Patchwright starts only for users with " + config.trigger().minPermission()
                    + " access to this repository, so this label did not start any work.");
            return HandlerOutcome.acted(login + " has " + permission + " access, not enough to start work");
        }
        if (configProblem != null) {
            StatusComment.upsert(issue, bot.login(), "Patchwright cannot start: " + configProblem);
            return HandlerOutcome.acted("the repository configuration is missing or invalid");
        }

        issue.createReaction(ReactionContent.EYES);
        // Said before the job exists, so a worker that finishes fast never has its verdict overwritten.
        int candidates = settings.candidatesFor(repoConfig.candidates());
        int rounds = settings.roundsFor(repoConfig.rounds());
        String tests = repoConfig.test() == null ? "the tests (the build is detected: there is no `test:` in `"
                + RepoConfigFile.PATH + "`)" : "`" + repoConfig.test() + "`";
        StatusComment.upsert(issue, bot.login(), "Patchwright is working on this issue. It first runs " + tests
                + " on the base commit in a sandbox, then samples " + candidates + " candidate patch"
                + (candidates == 1 ? "" : "es") + " per round for up to " + rounds + " round" + (rounds == 1 ? "" : "s")
                + ", verifies each with the tests, and opens a pull request for one that makes a test go from failing "
                + "to passing without breaking any. " + budgetLine(repository.getFullName(), delivery.installationId(),
                repoConfig));
        SolveJobPayload job = new SolveJobPayload(delivery.installationId(), repository.getFullName(),
                repository.getHttpTransportUrl(), repository.getDefaultBranch(), issue.getNumber(), issue.getTitle(),
                issue.getBody(), login, yaml.orElse(""));
        Optional<Long> jobId = queue.enqueue(new NewJob("solve", repository.getFullName(), delivery.installationId(),
                issue.getNumber(), delivery.deliveryId(), toJson(job), 3));
        if (jobId.isEmpty()) {
            return HandlerOutcome.ignored("a job for this issue is already queued or running");
        }
        runner.wake();
        return HandlerOutcome.acted("job " + jobId.get() + " queued for " + repository.getFullName() + "#"
                + issue.getNumber());
    }

    /** The limits the job will run under, and what this month has left, in one sentence. */
    private String budgetLine(String repository, Long installationId, RepoConfig repoConfig) {
        Limits effective = limits.effective(repository, installationId, repoConfig.budget());
        SpendLedger.MonthSpend month = ledger.repositoryMonth(repository);
        var left = effective.repositoryMonthly().minus(month.spent()).minus(month.held());
        return "Budget: up to " + effective.perIssue() + " and " + BudgetLimits.minutes(effective.perIssueTime())
                + " for this issue; this repository has " + (left.isNegative() ? "$0.00" : left) + " left of its "
                + effective.repositoryMonthly() + " budget this month.";
    }

    private boolean allowed(GHPermissionType permission) {
        if (permission == GHPermissionType.ADMIN) {
            return true;
        }
        return permission == GHPermissionType.WRITE && !"admin".equalsIgnoreCase(config.trigger().minPermission());
    }

    private static Optional<String> readConfig(GHRepository repository) throws IOException {
        try {
            GHContent content = repository.getFileContent(RepoConfigFile.PATH, repository.getDefaultBranch());
            try (InputStream in = content.read()) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (GHFileNotFoundException e) {
            return Optional.empty();
        }
    }

    private String toJson(SolveJobPayload job) {
        try {
            return json.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the job payload", e);
        }
    }
}
