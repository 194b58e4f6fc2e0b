package dev.patchwright.bot.standin;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the GitHub stand-in knows: the app, its one installation (covering all repositories) and
 * the repositories. Callers hold this object's monitor while reading or changing repositories.
 */
final class GitHubState {

    final Clock clock;
    /** Repository calls still to be refused as over the rate limit (403, remaining 0). */
    final java.util.concurrent.atomic.AtomicInteger rateLimitedCalls = new java.util.concurrent.atomic.AtomicInteger();
    final AtomicLong ids = new AtomicLong(1_000);
    final long installationId;
    final AppCredentials credentials;
    final GitHubBodies bodies;
    final IssueBodies issueBodies;
    final Map<String, HostedRepository> repos = new LinkedHashMap<>();
    /** Requests to hold once, by {@code METHOD path} (the path below the REST prefix). */
    final Map<String, Hold> holds = new java.util.concurrent.ConcurrentHashMap<>();
    /** Team members by {@code org/team-slug}. */
    final Map<String, java.util.Set<String>> teams = new java.util.HashMap<>();

    GitHubState(Clock clock, long appId, long installationId, String appSlug) {
        this.clock = clock;
        this.installationId = installationId;
        this.credentials = new AppCredentials(appId, clock);
        this.bodies = new GitHubBodies(appId, appSlug, ids, clock.instant());
        this.issueBodies = new IssueBodies(bodies);
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /** The repository named by the call's {@code owner} and {@code repo}; a 404 when unknown. */
    HostedRepository repo(Route.Call call) {
        HostedRepository repo = repos.get(call.param("owner") + "/" + call.param("repo"));
        if (repo == null) {
            throw Route.ApiError.notFound();
        }
        return repo;
    }

    /** The repository by name, for the test API; names what is missing. */
    HostedRepository repo(String owner, String name) {
        HostedRepository repo = repos.get(owner + "/" + name);
        if (repo == null) {
            throw new IllegalArgumentException("no repository " + owner + "/" + name + " in the stand-in; call createRepo first");
        }
        return repo;
    }

    /** The account the installation is on: the first repository's owner. */
    String installationAccount() {
        return repos.values().stream().findFirst().map(repo -> repo.owner).orElse("patchwright-owner");
    }
}
