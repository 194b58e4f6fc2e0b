package dev.patchwright.bot.standin;

import static dev.patchwright.bot.standin.GitHubBodies.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Check runs: create one on a commit the repository has, and list a commit's, as GitHub's checks API does. The
 * name, the head commit and the output's 65,535-character limits are checked like GitHub checks them.
 */
final class CheckRunEndpoints {

    /** GitHub's limit on a check run output's summary and text. */
    static final int OUTPUT_LIMIT = 65_535;

    private final GitHubState state;

    CheckRunEndpoints(GitHubState state) {
        this.state = state;
    }

    List<Route> routes() {
        Route.Auth token = Route.Auth.INSTALLATION;
        return List.of(
                new Route("POST", "/repos/{owner}/{repo}/check-runs", token, this::create),
                new Route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", token, this::list));
    }

    private Route.Reply create(Route.Call call) {
        HostedRepository repo = state.repo(call);
        JsonNode body = call.body();
        String name = body == null ? "" : body.path("name").asText("");
        String head = body == null ? "" : body.path("head_sha").asText("");
        if (name.isBlank()) {
            throw Route.ApiError.validation("resource", "CheckRun", "code", "missing_field", "field", "name");
        }
        if (!head.matches("[0-9a-f]{40}") || !repo.git.hasCommit(org.eclipse.jgit.lib.ObjectId.fromString(head))) {
            throw Route.ApiError.validation("resource", "CheckRun", "code", "invalid", "field", "head_sha");
        }
        JsonNode output = body.path("output");
        if (!output.isMissingNode()) {
            Route.ApiError.within(output.path("summary").asText(null), "CheckRun", "output.summary", OUTPUT_LIMIT);
            Route.ApiError.within(output.path("text").asText(null), "CheckRun", "output.text", OUTPUT_LIMIT);
        }
        ObjectNode run = JSON.createObjectNode();
        long id = state.nextId();
        String url = state.bodies.api() + "/repos/" + repo.fullName() + "/check-runs/" + id;
        run.put("id", id).put("node_id", "CR_" + id).put("head_sha", head).put("external_id", body.path("external_id").asText(""))
                .put("url", url).put("html_url", state.bodies.baseUrl() + "/" + repo.fullName() + "/runs/" + id)
                .put("details_url", body.path("details_url").asText(null))
                .put("status", body.path("status").asText("queued"))
                .put("conclusion", body.path("conclusion").isTextual() ? body.path("conclusion").asText() : null)
                .put("started_at", body.path("started_at").asText(GitHubBodies.time(state.clock.instant())))
                .put("completed_at", body.path("completed_at").isTextual() ? body.path("completed_at").asText() : null)
                .put("name", name);
        ObjectNode out = run.putObject("output");
        out.put("title", output.path("title").asText(null)).put("summary", output.path("summary").asText(null))
                .put("text", output.path("text").asText(null)).put("annotations_count", 0)
                .put("annotations_url", url + "/annotations");
        run.putObject("check_suite").put("id", state.nextId());
        run.set("app", state.bodies.app());
        run.putArray("pull_requests");
        repo.checkRuns.add(run);
        return new Route.Reply(201, run);
    }

    private Route.Reply list(Route.Call call) {
        HostedRepository repo = state.repo(call);
        String ref = call.param("ref");
        ObjectNode page = JSON.createObjectNode();
        var runs = page.putArray("check_runs");
        repo.checkRuns.stream().filter(run -> run.path("head_sha").asText().equals(ref)).forEach(runs::add);
        page.put("total_count", runs.size());
        return new Route.Reply(200, page);
    }
}
