package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.github.BotIdentity;
import dev.patchwright.bot.github.StatusComment;
import dev.patchwright.bot.jobs.WorkerNode;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.config.RepoConfigException;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.NewJob;
import dev.patchwright.worker.queue.StoredDelivery;
import dev.patchwright.worker.run.SolveJobPayload;
import dev.patchwright.worker.solve.RepoConfigFile;
import dev.patchwright.worker.solve.SolveSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.kohsuke.github.GHContent;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHRepository;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** Starts the work on an issue, whether a label or a {@code /patchwright fix} asked: says so, then records the job. */
@ApplicationScoped
public class SolveStarter {

    @Inject
    JobQueue queue;

    @Inject
    WorkerNode runner;

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

    /**
     * The repository's {@code .github/patchwright.yml} on its default branch.
     *
     * @param yaml    its text, or empty when there is none
     * @param config  what it says, or null when it is missing or invalid
     * @param problem why it cannot be used, or null
     */
    public record RepoSettings(Optional<String> yaml, RepoConfig config, String problem) {

        /** Who the file alone lets trigger; empty when it names no one (or cannot be read). */
        List<String> allowed() {
            return config == null ? List.of() : config.allowed();
        }
    }

    /** Reads the repository's configuration from its default branch. */
    RepoSettings read(GHRepository repository) throws IOException {
        Optional<String> yaml;
        try {
            GHContent content = repository.getFileContent(RepoConfigFile.PATH, repository.getDefaultBranch());
            try (InputStream in = content.read()) {
                yaml = Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (GHFileNotFoundException e) {
            yaml = Optional.empty();
        }
        if (yaml.isEmpty()) {
            // Without the file every setting is the default, and the worker detects the build.
            return new RepoSettings(yaml, RepoConfig.detected(), null);
        }
        try {
            return new RepoSettings(yaml, RepoConfig.parse(yaml.get(), RepoConfigFile.PATH), null);
        } catch (RepoConfigException e) {
            return new RepoSettings(yaml, null, e.getMessage());
        }
    }

    /**
     * Says on the issue that work starts (or why it cannot) and records the solve job.
     *
     * @param login  who asked; their review is requested on the pull request
     * @param budget the per-issue budget they asked for, already checked against the maximum, or null
     */
    HandlerOutcome start(StoredDelivery delivery, GHRepository repository, GHIssue issue, RepoSettings repo,
                         String login, Money budget) throws IOException {
        if (repo.problem() != null) {
            StatusComment.upsert(issue, bot.login(), "Patchwright cannot start: " + repo.problem());
            return HandlerOutcome.acted("the repository configuration is missing or invalid");
        }
        RepoConfig repoConfig = repo.config();
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
                repoConfig, budget));
        SolveJobPayload job = new SolveJobPayload(delivery.installationId(), repository.getFullName(),
                repository.getHttpTransportUrl(), repository.getDefaultBranch(), issue.getNumber(), issue.getTitle(),
                issue.getBody(), login, repo.yaml().orElse(""), budget == null ? null : budget.toString());
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
    private String budgetLine(String repository, Long installationId, RepoConfig repoConfig, Money asked) {
        Limits effective = limits.effective(repository, installationId, repoConfig.budget());
        SpendLedger.MonthSpend month = ledger.repositoryMonth(repository);
        var left = effective.repositoryMonthly().minus(month.spent()).minus(month.held());
        return "Budget: up to " + (asked != null ? asked + " (as asked)" : effective.perIssue()) + " and "
                + BudgetLimits.minutes(effective.perIssueTime()) + " for this issue; this repository has "
                + (left.isNegative() ? "$0.00" : left) + " left of its " + effective.repositoryMonthly()
                + " budget this month.";
    }

    private String toJson(SolveJobPayload job) {
        try {
            return json.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the job payload", e);
        }
    }
}
