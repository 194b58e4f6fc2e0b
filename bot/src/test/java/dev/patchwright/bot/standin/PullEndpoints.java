package dev.patchwright.bot.standin;

import static dev.patchwright.bot.standin.GitHubBodies.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/** Pull-request operations: create (checked against the bare repository), list, get, request reviewers. */
final class PullEndpoints {

    private final GitHubState state;

    PullEndpoints(GitHubState state) {
        this.state = state;
    }

    List<Route> routes() {
        Route.Auth token = Route.Auth.INSTALLATION;
        return List.of(
                new Route("POST", "/repos/{owner}/{repo}/pulls", token, this::create),
                new Route("GET", "/repos/{owner}/{repo}/pulls", token, this::list),
                new Route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", token, this::get),
                new Route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", token, this::requestReviewers));
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode value = body == null ? null : body.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /** Strips an {@code owner:} prefix from a head; a different owner means a fork the stand-in lacks. */
    private static Optional<String> headBranch(HostedRepository repo, String head) {
        int colon = head.indexOf(':');
        if (colon < 0) {
            return Optional.of(head);
        }
        return head.substring(0, colon).equals(repo.owner) ? Optional.of(head.substring(colon + 1)) : Optional.empty();
    }

    private Route.Reply create(Route.Call call) {
        HostedRepository repo = state.repo(call);
        JsonNode body = call.body();
        String head = text(body, "head").orElseThrow(() ->
                Route.ApiError.validation("resource", "PullRequest", "code", "missing_field", "field", "head"));
        String base = text(body, "base").orElseThrow(() ->
                Route.ApiError.validation("resource", "PullRequest", "code", "missing_field", "field", "base"));
        String title = text(body, "title").orElseThrow(() ->
                Route.ApiError.validation("resource", "PullRequest", "code", "missing_field", "field", "title"));
        String branch = headBranch(repo, head).orElseThrow(() ->
                Route.ApiError.validation("resource", "PullRequest", "field", "head", "code", "invalid"));
        ObjectId headId = repo.git.branch(branch).orElseThrow(() ->
                Route.ApiError.validation("resource", "PullRequest", "field", "head", "code", "invalid"));
        ObjectId baseId = repo.git.branch(base).orElseThrow(() ->
                Route.ApiError.validation("resource", "PullRequest", "field", "base", "code", "invalid"));
        for (HostedRepository.Issue existing : repo.issues.values()) {
            if (existing.pull != null && "open".equals(existing.state) && existing.pull.head.equals(branch)
                    && existing.pull.base.equals(base)) {
                throw Route.ApiError.validation("resource", "PullRequest", "code", "custom",
                        "message", "A pull request already exists for " + repo.owner + ":" + branch + ".");
            }
        }
        if (!repo.git.hasCommitsBetween(baseId, headId)) {
            throw Route.ApiError.validation("resource", "PullRequest", "code", "custom",
                    "message", "No commits between " + base + " and " + branch);
        }
        HostedRepository.Issue issue = new HostedRepository.Issue();
        issue.id = state.nextId();
        issue.number = repo.nextNumber();
        issue.title = Route.ApiError.within(title, "PullRequest", "title", 256);
        issue.body = Route.ApiError.within(text(body, "body").orElse(null), "PullRequest", "body", 65_536);
        issue.author = state.bodies.botLogin();
        issue.createdAt = state.clock.instant();
        issue.updatedAt = issue.createdAt;
        issue.pull = new HostedRepository.Pull();
        issue.pull.id = state.nextId();
        issue.pull.head = branch;
        issue.pull.base = base;
        issue.pull.draft = body.path("draft").asBoolean(false);
        issue.pull.maintainerCanModify = body.path("maintainer_can_modify").asBoolean(true);
        repo.issues.put(issue.number, issue);
        return new Route.Reply(201, state.issueBodies.pull(repo, issue));
    }

    private Route.Reply list(Route.Call call) {
        HostedRepository repo = state.repo(call);
        String wanted = call.query().getOrDefault("state", "open");
        if (!List.of("open", "closed", "all").contains(wanted)) {
            throw Route.ApiError.validation("resource", "Issue", "field", "state", "code", "invalid");
        }
        String head = call.query().get("head");
        String base = call.query().get("base");
        List<HostedRepository.Issue> pulls = new ArrayList<>();
        for (HostedRepository.Issue issue : repo.issues.descendingMap().values()) {
            if (issue.pull == null || (!wanted.equals("all") && !wanted.equals(issue.state))) {
                continue;
            }
            // GitHub filters head by "user:ref-name"; a bare branch name matches nothing.
            if (head != null && !head.equals(repo.owner + ":" + issue.pull.head)) {
                continue;
            }
            if (base != null && !base.equals(issue.pull.base)) {
                continue;
            }
            pulls.add(issue);
        }
        ArrayNode list = JSON.createArrayNode();
        pulls.forEach(issue -> list.add(state.issueBodies.simplePull(repo, issue)));
        return new Route.Reply(200, list);
    }

    private HostedRepository.Issue pullOf(HostedRepository repo, Route.Call call) {
        HostedRepository.Issue issue = repo.issues.get(call.number("pull_number"));
        if (issue == null || issue.pull == null) {
            throw Route.ApiError.notFound();
        }
        return issue;
    }

    private Route.Reply get(Route.Call call) {
        HostedRepository repo = state.repo(call);
        return new Route.Reply(200, state.issueBodies.pull(repo, pullOf(repo, call)));
    }

    private Route.Reply requestReviewers(Route.Call call) {
        HostedRepository repo = state.repo(call);
        HostedRepository.Issue issue = pullOf(repo, call);
        List<String> logins = new ArrayList<>();
        if (call.body() != null) {
            call.body().path("reviewers").forEach(login -> logins.add(login.asText()));
        }
        for (String login : logins) {
            if (login.equals(issue.author)) {
                throw new Route.ApiError(422, "Review cannot be requested from pull request author.");
            }
            if (!repo.isCollaborator(login)) {
                throw new Route.ApiError(422, "Reviews may only be requested from collaborators. One or more of the users"
                        + " or teams you specified is not a collaborator of the " + repo.fullName() + " repository.");
            }
        }
        for (String login : logins) {
            if (!issue.pull.reviewers.contains(login)) {
                issue.pull.reviewers.add(login);
            }
        }
        issue.updatedAt = state.clock.instant();
        return new Route.Reply(201, state.issueBodies.simplePull(repo, issue));
    }
}
