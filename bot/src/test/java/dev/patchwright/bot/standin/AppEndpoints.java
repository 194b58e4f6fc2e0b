package dev.patchwright.bot.standin;

import static dev.patchwright.bot.standin.GitHubBodies.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The app-level operations: {@code /app}, installations, installation tokens and {@code /rate_limit}. */
final class AppEndpoints {

    private final GitHubState state;

    AppEndpoints(GitHubState state) {
        this.state = state;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/app", Route.Auth.APP, call -> new Route.Reply(200, state.bodies.app())),
                new Route("GET", "/app/installations/{installation_id}", Route.Auth.APP, this::installation),
                new Route("POST", "/app/installations/{installation_id}/access_tokens", Route.Auth.APP, this::token),
                new Route("GET", "/repos/{owner}/{repo}/installation", Route.Auth.APP, call -> new Route.Reply(200,
                        state.bodies.installation(state.installationId, state.repo(call).owner))),
                new Route("GET", "/rate_limit", Route.Auth.ANY, call -> new Route.Reply(200, rateLimit())));
    }

    private Route.Reply installation(Route.Call call) {
        checkInstallation(call);
        return new Route.Reply(200, state.bodies.installation(state.installationId, state.installationAccount()));
    }

    private void checkInstallation(Route.Call call) {
        if (!Long.toString(state.installationId).equals(call.param("installation_id"))) {
            throw Route.ApiError.notFound();
        }
    }

    private Route.Reply token(Route.Call call) {
        checkInstallation(call);
        Map.Entry<String, Instant> token = state.credentials.mintToken();
        ObjectNode body = JSON.createObjectNode();
        body.put("token", token.getKey()).put("expires_at", GitHubBodies.time(token.getValue()));
        body.set("permissions", state.bodies.permissions());
        body.put("repository_selection", "all");
        return new Route.Reply(201, body);
    }

    private ObjectNode rateLimit() {
        long reset = state.clock.instant().getEpochSecond() + 3600;
        ObjectNode resources = JSON.createObjectNode();
        for (String name : new String[] {"core", "search", "graphql", "integration_manifest", "code_search"}) {
            resources.set(name, limit(name.equals("search") ? 30 : 5000, reset));
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("resources", resources);
        body.set("rate", limit(5000, reset));
        return body;
    }

    private static ObjectNode limit(int limit, long reset) {
        return JSON.createObjectNode().put("limit", limit).put("remaining", limit - 1).put("reset", reset).put("used", 1);
    }
}
