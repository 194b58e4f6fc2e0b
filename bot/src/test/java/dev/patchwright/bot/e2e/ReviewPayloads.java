package dev.patchwright.bot.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwright.bot.standin.GitHubStandIn;

import java.io.IOException;

/**
 * {@code pull_request_review.submitted} and {@code pull_request_review_comment.created} bodies as GitHub sends them
 * (from the recorded examples), about a Patchwright pull request on the GitHub stand-in.
 *
 * @param github the stand-in
 * @param owner  the repository's owner
 * @param repo   the repository's name
 * @param pull   the pull request's number
 * @param branch its head branch, {@code patchwright/issue-N}
 */
record ReviewPayloads(GitHubStandIn github, String owner, String repo, int pull, String branch) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A submitted review; {@code body} null for a lone line comment's review, which has none. */
    byte[] review(long reviewId, String state, String body, String author, String type) throws IOException {
        ObjectNode root = event("/e2e/pull_request_review-submitted.json", author, type);
        ObjectNode review = (ObjectNode) root.get("review");
        review.put("id", reviewId).put("state", state);
        if (body == null) {
            review.putNull("body");
        } else {
            review.put("body", body);
        }
        ((ObjectNode) review.get("user")).put("login", author).put("type", type);
        return JSON.writeValueAsBytes(root);
    }

    /** A line comment of review {@code reviewId}. */
    byte[] comment(long commentId, long reviewId, String path, String hunk, String body, String author, String type)
            throws IOException {
        ObjectNode root = event("/e2e/pull_request_review_comment-created.json", author, type);
        ObjectNode comment = (ObjectNode) root.get("comment");
        comment.put("id", commentId).put("pull_request_review_id", reviewId).put("body", body).put("path", path)
                .put("diff_hunk", hunk);
        ((ObjectNode) comment.get("user")).put("login", author).put("type", type);
        return JSON.writeValueAsBytes(root);
    }

    /** A real payload pointed at the stand-in's pull request, sent by {@code author}. */
    private ObjectNode event(String fixture, String author, String type) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(ReviewPayloads.class.getResourceAsStream(fixture));
        ObjectNode repository = (ObjectNode) root.get("repository");
        repository.put("name", repo).put("full_name", owner + "/" + repo).put("default_branch", "main")
                .put("clone_url", github.cloneUrl(owner, repo))
                .put("url", github.apiUrl() + "/repos/" + owner + "/" + repo);
        ((ObjectNode) repository.get("owner")).put("login", owner);
        root.putObject("installation").put("id", github.installationId()).put("node_id", "MDIzOkluc3RhbGxhdGlvbjE=");
        ObjectNode node = (ObjectNode) root.get("pull_request");
        node.put("number", pull).put("state", "open")
                .put("url", github.apiUrl() + "/repos/" + owner + "/" + repo + "/pulls/" + pull);
        ((ObjectNode) node.get("head")).put("ref", branch);
        ((ObjectNode) node.get("base")).put("ref", "main");
        ((ObjectNode) node.get("user")).put("login", github.botLogin()).put("type", "Bot");
        ((ObjectNode) root.get("sender")).put("login", author).put("type", type);
        return root;
    }
}
