package dev.patchwright.bot.github;

import io.quarkiverse.githubapp.GitHubClientProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;

/**
 * Who the bot is on GitHub: {@code <app-slug>[bot]}, the author of everything it writes. Looked up
 * once ({@code GET /app}) and kept.
 */
@ApplicationScoped
public class BotIdentity {

    @Inject
    GitHubClientProvider clients;

    private volatile String login;

    /** The bot user's login, e.g. {@code patchwright[bot]}. */
    public String login() throws IOException {
        String known = login;
        if (known == null) {
            known = clients.getApplicationClient().getApp().getSlug() + "[bot]";
            login = known;
        }
        return known;
    }
}
