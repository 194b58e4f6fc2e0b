package dev.patchwright.bot.handlers;

import dev.patchwright.bot.config.PatchwrightConfig;
import io.quarkiverse.githubapp.GitHubClientProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.patchwright.worker.queue.StoredDelivery;
import org.kohsuke.github.GHEventPayload;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.ReactionContent;

import java.io.IOException;
import java.io.StringReader;

/** {@code issues.labeled} with the trigger label, by a user allowed to trigger: records a solve job. */
@ApplicationScoped
public class StartOnIssueLabeled {

    @Inject
    GitHubClientProvider clients;

    @Inject
    PatchwrightConfig config;

    @Inject
    TriggerPolicy policy;

    @Inject
    SolveStarter starter;

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

        SolveStarter.RepoSettings repo = starter.read(repository);
        String trigger = repo.config() != null ? repo.config().triggerLabel() : config.trigger().label();
        if (!trigger.equals(label)) {
            return HandlerOutcome.ignored("label '" + label + "' is not the trigger label '" + trigger + "'");
        }

        String login = payload.getSender().getLogin();
        TriggerPolicy.Verdict verdict = policy.check(github, delivery.installationId(), repository.getFullName(), login,
                repo.allowed());
        if (!verdict.allowed()) {
            issue.comment(verdict.refusal());
            return HandlerOutcome.acted(login + " may not start work here");
        }
        if (repo.problem() == null) {
            issue.createReaction(ReactionContent.EYES);
        }
        return starter.start(delivery, repository, issue, repo, login, null);
    }
}
