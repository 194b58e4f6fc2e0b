package dev.patchwright.bot.github;

import io.quarkiverse.githubapp.GitHubCustomizer;
import jakarta.inject.Singleton;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.GitHubRateLimitHandler;

/**
 * github-api sleeps the calling thread until a rate limit resets (up to an hour) by default. We fail
 * fast instead: the delivery or job is retried later and the thread stays free.
 */
@Singleton
public class FailFastRateLimits implements GitHubCustomizer {

    @Override
    public void customize(GitHubBuilder builder) {
        builder.withRateLimitHandler(GitHubRateLimitHandler.FAIL);
        builder.withAbuseLimitHandler(GitHubAbuseLimitHandler.FAIL);
    }

    @Override
    public void customizeApplicationClient(GitHubBuilder builder) {
        customize(builder);
    }
}
