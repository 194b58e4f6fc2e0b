package dev.patchwright.bot.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.config.PatchwrightConfig;
import io.quarkiverse.githubapp.InstallationTokenProvider;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.kohsuke.github.GitHub;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Who may start paid work: the operator's least permission ({@code write}, {@code maintain} or {@code admin}), and
 * then, when the repository's {@code allowed:} list names anyone, only the users and team members it names. The
 * list narrows the operator's rule, never widens it.
 *
 * <p>The permission is read from GitHub's collaborator-permission endpoint directly because {@code role_name}
 * ({@code maintain}) is missing from the client library's answer, which folds maintainers into {@code write}.
 */
@ApplicationScoped
public class TriggerPolicy {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Inject
    PatchwrightConfig config;

    @Inject
    InstallationTokenProvider tokens;

    @Inject
    ObjectMapper json;

    /**
     * @param allowed whether {@code login} may trigger
     * @param refusal when not: a polite sentence saying what it takes, addressed to them
     */
    public record Verdict(boolean allowed, String refusal) {
    }

    /**
     * Whether {@code login} may start work on {@code repository}.
     *
     * @param allowedList the repository's {@code allowed:} entries, empty when it names none
     * @throws IOException when GitHub could not answer (the delivery is tried again later)
     */
    public Verdict check(GitHub github, long installationId, String repository, String login, List<String> allowedList)
            throws IOException {
        String required = config.trigger().minPermission().strip().toLowerCase(Locale.ROOT);
        int needed = rank(required);
        if (needed == 0) {
            throw new IllegalStateException("patchwright.trigger.min-permission must be write, maintain or admin, was '"
                    + config.trigger().minPermission() + "'");
        }
        JsonNode answer = get(github, installationId, "/repos/" + repository + "/collaborators/" + encode(login)
                + "/permission");
        String role = answer == null ? "none" : answer.path("role_name").asText(answer.path("permission").asText("none"));
        int has = Math.max(rank(role), answer == null ? 0 : rank(answer.path("permission").asText("none")));
        if (has < needed) {
            return new Verdict(false, "@" + login + " Thanks! Patchwright starts work only for users with " + required
                    + " access to this repository, so this did not start anything. Someone with " + required
                    + " access can ask instead.");
        }
        if (allowedList.isEmpty() || named(github, installationId, login, allowedList)) {
            return new Verdict(true, null);
        }
        return new Verdict(false, "@" + login + " Thanks! This repository's `.github/patchwright.yml` lets only "
                + String.join(", ", allowedList) + " start Patchwright, so this did not start anything.");
    }

    private boolean named(GitHub github, long installationId, String login, List<String> allowedList)
            throws IOException {
        for (String entry : allowedList) {
            int slash = entry.indexOf('/');
            if (slash < 0) {
                if (entry.replaceFirst("^@", "").equalsIgnoreCase(login)) {
                    return true;
                }
                continue;
            }
            String org = entry.substring(0, slash).replaceFirst("^@", "");
            String team = entry.substring(slash + 1);
            JsonNode membership = get(github, installationId, "/orgs/" + encode(org) + "/teams/" + encode(team)
                    + "/memberships/" + encode(login));
            if (membership != null && "active".equals(membership.path("state").asText())) {
                return true;
            }
        }
        return false;
    }

    private static int rank(String permission) {
        return switch (permission) {
            case "admin" -> 3;
            case "maintain" -> 2;
            case "write" -> 1;
            default -> 0;
        };
    }

    /** The JSON answer, or null on 404 (no such collaborator, team or membership). */
    private JsonNode get(GitHub github, long installationId, String path) throws IOException {
        String base = github.getApiUrl().replaceAll("/+$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28")
                .header("Authorization", "Bearer " + tokens.getInstallationToken(installationId).token()).GET().build();
        HttpResponse<String> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking GitHub " + path, e);
        }
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IOException("GitHub answered " + response.statusCode() + " to GET " + path);
        }
        return json.readTree(response.body());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
