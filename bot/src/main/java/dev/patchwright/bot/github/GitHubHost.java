package dev.patchwright.bot.github;

import dev.patchwright.worker.git.GitCredentials;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.run.CodeHost;
import dev.patchwright.worker.run.SolveJobPayload;
import dev.patchwright.worker.solve.Publisher;
import io.quarkiverse.githubapp.GitHubClientProvider;
import io.quarkiverse.githubapp.InstallationTokenProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** GitHub as the worker's {@link CodeHost}: installation tokens for git, and {@link GitHubPublisher} for results. */
@ApplicationScoped
public class GitHubHost implements CodeHost {

    @Inject
    GitHubClientProvider clients;
    @Inject
    InstallationTokenProvider tokens;
    @Inject
    RepoMirror mirror;
    @Inject
    BotIdentity bot;

    @Override
    public GitCredentials credentials(SolveJobPayload payload) {
        return new GitCredentials("x-access-token",
                tokens.getInstallationToken(payload.installationId()).token().toCharArray());
    }

    @Override
    public Publisher publisher(SolveJobPayload payload) {
        return new GitHubPublisher(clients, tokens, mirror, payload.installationId(), payload.triggeredBy(), bot);
    }
}
