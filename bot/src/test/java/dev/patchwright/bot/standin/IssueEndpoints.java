package dev.patchwright.bot.standin;

import static dev.patchwright.bot.standin.GitHubBodies.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.revwalk.RevCommit;

/** Repository, issue, comment, reaction, permission and contents operations. */
final class IssueEndpoints {

    private static final Set<String> REACTIONS = Set.of("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes");

    private final GitHubState state;

    IssueEndpoints(GitHubState state) {
        this.state = state;
    }

    List<Route> routes() {
        Route.Auth token = Route.Auth.INSTALLATION;
        return List.of(
                new Route("GET", "/repos/{owner}/{repo}", token, call -> ok(state.bodies.repository(state.repo(call)))),
                new Route("GET", "/repos/{owner}/{repo}/issues/{issue_number}", Route.Auth.PUBLIC_READ, this::issue),
                new Route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", token, this::comments),
                new Route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", token, this::comment),
                new Route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", token, this::editComment),
                new Route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/reactions", token, this::react),
                new Route("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", token, this::reactToComment),
                new Route("GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}", token, this::membership),
                new Route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", token, this::permission),
                new Route("GET", "/repos/{owner}/{repo}/contents/{path+}", token, this::contents),
                new Route("GET", "/users/{username}", token, call -> ok(publicUser(call.param("username")))));
    }

    /** GitHub's public-user schema: the simple user plus profile fields, empty here. */
    private JsonNode publicUser(String login) {
        ObjectNode user = state.bodies.user(login);
        user.putNull("name").putNull("company").putNull("blog").putNull("location").putNull("email")
                .putNull("hireable").putNull("bio").put("public_repos", 0).put("public_gists", 0)
                .put("followers", 0).put("following", 0)
                .put("created_at", "2020-01-01T00:00:00Z").put("updated_at", "2020-01-01T00:00:00Z");
        return user;
    }

    private static Route.Reply ok(JsonNode body) {
        return new Route.Reply(200, body);
    }

    private HostedRepository.Issue issueOf(HostedRepository repo, Route.Call call) {
        HostedRepository.Issue issue = repo.issues.get(call.number("issue_number"));
        if (issue == null) {
            throw Route.ApiError.notFound();
        }
        return issue;
    }

    /** The comment the call's {@code comment_id} names; a 404 when there is none. */
    private static HostedRepository.Comment commentOf(HostedRepository repo, Route.Call call) {
        long id;
        try {
            id = Long.parseLong(call.param("comment_id"));
        } catch (NumberFormatException e) {
            throw Route.ApiError.notFound();
        }
        return repo.comments.stream().filter(c -> c.id == id).findFirst().orElseThrow(Route.ApiError::notFound);
    }

    private Route.Reply issue(Route.Call call) {
        HostedRepository repo = state.repo(call);
        return ok(state.issueBodies.issue(repo, issueOf(repo, call)));
    }

    private Route.Reply comments(Route.Call call) {
        HostedRepository repo = state.repo(call);
        int number = issueOf(repo, call).number;
        ArrayNode list = JSON.createArrayNode();
        repo.comments.stream().filter(c -> c.issue == number).forEach(c -> list.add(state.bodies.comment(repo, c)));
        return ok(list);
    }

    /** The {@code body} string of a request, or GitHub's 422 naming the missing field. */
    private static String requiredText(Route.Call call, String resource, String field) {
        JsonNode value = call.body() == null ? null : call.body().get(field);
        if (value == null || value.isNull()) {
            throw Route.ApiError.validation("resource", resource, "code", "missing_field", "field", field);
        }
        if (!value.isTextual()) {
            throw new Route.ApiError(422, "Invalid request.\n\nFor '" + field + "', " + value + " is not a string.");
        }
        return field.equals("body") ? Route.ApiError.within(value.asText(), resource, field, 65_536) : value.asText();
    }

    private Route.Reply comment(Route.Call call) {
        HostedRepository repo = state.repo(call);
        HostedRepository.Issue issue = issueOf(repo, call);
        HostedRepository.Comment comment = new HostedRepository.Comment();
        comment.body = requiredText(call, "IssueComment", "body");
        comment.id = state.nextId();
        comment.issue = issue.number;
        comment.author = state.bodies.botLogin();
        comment.createdAt = state.clock.instant();
        comment.updatedAt = comment.createdAt;
        repo.comments.add(comment);
        issue.updatedAt = comment.createdAt;
        return new Route.Reply(201, state.bodies.comment(repo, comment));
    }

    private Route.Reply editComment(Route.Call call) {
        HostedRepository repo = state.repo(call);
        HostedRepository.Comment comment = commentOf(repo, call);
        String body = requiredText(call, "IssueComment", "body");
        if (!comment.author.equals(state.bodies.botLogin())) {
            throw new Route.ApiError(403, "Resource not accessible by integration");
        }
        comment.body = body;
        comment.updatedAt = state.clock.instant();
        return ok(state.bodies.comment(repo, comment));
    }

    private Route.Reply react(Route.Call call) {
        HostedRepository repo = state.repo(call);
        HostedRepository.Issue issue = issueOf(repo, call);
        String content = requiredText(call, "Reaction", "content");
        if (!REACTIONS.contains(content)) {
            throw Route.ApiError.validation("resource", "Reaction", "code", "invalid", "field", "content");
        }
        String user = state.bodies.botLogin();
        for (HostedRepository.Reaction existing : repo.reactions) {
            if (existing.issue() == issue.number && existing.content().equals(content) && existing.user().equals(user)) {
                return ok(state.bodies.reaction(existing));
            }
        }
        HostedRepository.Reaction reaction = new HostedRepository.Reaction(
                state.nextId(), issue.number, content, user, state.clock.instant());
        repo.reactions.add(reaction);
        return new Route.Reply(201, state.bodies.reaction(reaction));
    }

    private Route.Reply reactToComment(Route.Call call) {
        HostedRepository repo = state.repo(call);
        HostedRepository.Comment comment = commentOf(repo, call);
        String content = requiredText(call, "Reaction", "content");
        if (!REACTIONS.contains(content)) {
            throw Route.ApiError.validation("resource", "Reaction", "code", "invalid", "field", "content");
        }
        String user = state.bodies.botLogin();
        List<HostedRepository.Reaction> existing = repo.commentReactions.computeIfAbsent(comment.id, k -> new java.util.ArrayList<>());
        for (HostedRepository.Reaction reaction : existing) {
            if (reaction.content().equals(content) && reaction.user().equals(user)) {
                return ok(state.bodies.reaction(reaction));
            }
        }
        HostedRepository.Reaction reaction = new HostedRepository.Reaction(
                state.nextId(), comment.issue, content, user, state.clock.instant());
        existing.add(reaction);
        return new Route.Reply(201, state.bodies.reaction(reaction));
    }

    /** GitHub's team membership: active for a member, 404 for anyone else or an unknown team. */
    private Route.Reply membership(Route.Call call) {
        String team = call.param("org") + "/" + call.param("team_slug");
        String login = call.param("username");
        if (!state.teams.getOrDefault(team, Set.of()).contains(login)) {
            throw Route.ApiError.notFound();
        }
        String url = state.bodies.api() + "/orgs/" + call.param("org") + "/teams/" + call.param("team_slug")
                + "/memberships/" + login;
        return ok(JSON.createObjectNode().put("url", url).put("role", "member").put("state", "active"));
    }

    private Route.Reply permission(Route.Call call) {
        HostedRepository repo = state.repo(call);
        String login = call.param("username");
        if (login.endsWith("[bot]") && !login.equals(state.bodies.botLogin())) {
            throw Route.ApiError.notFound();
        }
        ObjectNode user = state.bodies.user(login);
        String role = repo.role(login);
        user.put("role_name", role);
        String permission = repo.permission(login);
        user.set("permissions", JSON.createObjectNode()
                .put("admin", permission.equals("admin")).put("maintain", role.equals("maintain") || permission.equals("admin"))
                .put("push", permission.equals("admin") || permission.equals("write"))
                .put("triage", !permission.equals("none")).put("pull", !permission.equals("none")));
        ObjectNode body = JSON.createObjectNode().put("permission", permission).put("role_name", role);
        body.set("user", user);
        return ok(body);
    }

    private Route.Reply contents(Route.Call call) {
        HostedRepository repo = state.repo(call);
        String ref = call.query().getOrDefault("ref", repo.defaultBranch());
        RevCommit commit = repo.git.commit(ref)
                .orElseThrow(() -> new Route.ApiError(404, "No commit found for the ref " + ref));
        String path = call.param("path");
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        BareRepository.Entry entry = repo.git.read(commit, path).orElseThrow(Route.ApiError::notFound);
        return ok(state.issueBodies.content(repo, ref, entry));
    }
}
