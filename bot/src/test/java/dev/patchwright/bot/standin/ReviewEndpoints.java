package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.util.List;

import static dev.patchwright.bot.standin.GitHubBodies.JSON;

/** Review comments on pull requests: list them, and reply in a thread (as an installation). */
final class ReviewEndpoints {

    private final GitHubState state;

    ReviewEndpoints(GitHubState state) {
        this.state = state;
    }

    List<Route> routes() {
        Route.Auth token = Route.Auth.INSTALLATION;
        return List.of(
                new Route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments", token, this::list),
                new Route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", token,
                        this::reply));
    }

    private static HostedRepository.Issue pullOf(HostedRepository repo, Route.Call call) {
        HostedRepository.Issue issue = repo.issues.get(call.number("pull_number"));
        if (issue == null || issue.pull == null) {
            throw Route.ApiError.notFound();
        }
        return issue;
    }

    private Route.Reply list(Route.Call call) {
        HostedRepository repo = state.repo(call);
        int number = pullOf(repo, call).number;
        ArrayNode list = JSON.createArrayNode();
        repo.reviewComments.stream().filter(c -> c.pull == number)
                .forEach(c -> list.add(state.bodies.reviewComment(repo, c)));
        return new Route.Reply(200, list);
    }

    /** GitHub answers a reply to a reply in the thread of their first comment; so does the stand-in. */
    private Route.Reply reply(Route.Call call) {
        HostedRepository repo = state.repo(call);
        HostedRepository.Issue pull = pullOf(repo, call);
        long id;
        try {
            id = Long.parseLong(call.param("comment_id"));
        } catch (NumberFormatException e) {
            throw Route.ApiError.notFound();
        }
        HostedRepository.ReviewComment to = repo.reviewComments.stream()
                .filter(c -> c.id == id && c.pull == pull.number).findFirst().orElseThrow(Route.ApiError::notFound);
        JsonNode text = call.body() == null ? null : call.body().get("body");
        if (text == null || !text.isTextual()) {
            throw Route.ApiError.validation("resource", "PullRequestReviewComment", "code", "missing_field",
                    "field", "body");
        }
        HostedRepository.ReviewComment reply = new HostedRepository.ReviewComment();
        reply.id = state.nextId();
        reply.pull = pull.number;
        reply.reviewId = state.nextId();
        reply.inReplyTo = to.inReplyTo != null ? to.inReplyTo : to.id;
        reply.author = state.bodies.botLogin();
        reply.body = Route.ApiError.within(text.asText(), "PullRequestReviewComment", "body", 65_536);
        reply.path = to.path;
        reply.line = to.line;
        reply.diffHunk = to.diffHunk;
        reply.commitId = to.commitId;
        reply.createdAt = state.clock.instant();
        reply.updatedAt = reply.createdAt;
        repo.reviewComments.add(reply);
        return new Route.Reply(201, state.bodies.reviewComment(repo, reply));
    }
}
