package dev.patchwright.bot.standin;

import static dev.patchwright.bot.standin.GitHubBodies.JSON;
import static dev.patchwright.bot.standin.GitHubBodies.nodeId;
import static dev.patchwright.bot.standin.GitHubBodies.time;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.eclipse.jgit.lib.ObjectId;

/** Builds the {@code issue}, {@code pull-request} and contents bodies of GitHub's REST description. */
final class IssueBodies {

    private final GitHubBodies common;

    IssueBodies(GitHubBodies common) {
        this.common = common;
    }

    ObjectNode issue(HostedRepository repo, HostedRepository.Issue issue) {
        String repoApi = common.api() + "/repos/" + repo.fullName();
        String url = repoApi + "/issues/" + issue.number;
        String html = common.baseUrl() + "/" + repo.fullName() + (issue.pull == null ? "/issues/" : "/pull/") + issue.number;
        ObjectNode body = JSON.createObjectNode();
        body.put("id", issue.id).put("node_id", nodeId("I", issue.id)).put("url", url)
                .put("repository_url", repoApi).put("labels_url", url + "/labels{/name}")
                .put("comments_url", url + "/comments").put("events_url", url + "/events")
                .put("html_url", html).put("number", issue.number).put("state", issue.state)
                .putNull("state_reason").put("title", issue.title).put("body", issue.body)
                .set("user", common.user(issue.author));
        body.set("labels", JSON.createArrayNode());
        body.putNull("assignee").set("assignees", JSON.createArrayNode());
        body.putNull("milestone").put("locked", false).putNull("active_lock_reason")
                .put("comments", repo.comments.stream().filter(c -> c.issue == issue.number).count());
        if (issue.pull != null) {
            ObjectNode pull = JSON.createObjectNode();
            String pullUrl = repoApi + "/pulls/" + issue.number;
            pull.put("url", pullUrl).put("html_url", html).put("diff_url", html + ".diff")
                    .put("patch_url", html + ".patch").putNull("merged_at");
            body.set("pull_request", pull);
            body.put("draft", issue.pull.draft);
        }
        body.putNull("closed_at").put("created_at", time(issue.createdAt)).put("updated_at", time(issue.updatedAt))
                .putNull("closed_by").put("author_association", repo.association(issue.author))
                .put("timeline_url", url + "/timeline").putNull("performed_via_github_app");
        body.set("reactions", common.reactionRollup(repo, url, issue.number));
        return body;
    }

    /** The full {@code pull-request} body; {@link #simplePull} drops the counters that lists omit. */
    ObjectNode pull(HostedRepository repo, HostedRepository.Issue issue) {
        ObjectNode body = simplePull(repo, issue);
        ObjectId head = repo.git.branch(issue.pull.head).orElse(ObjectId.zeroId());
        ObjectId base = repo.git.branch(issue.pull.base).orElse(ObjectId.zeroId());
        boolean ahead = !head.equals(ObjectId.zeroId()) && !base.equals(ObjectId.zeroId())
                && repo.git.hasCommitsBetween(base, head);
        body.put("merged", false).putNull("mergeable").putNull("rebaseable")
                .put("mergeable_state", "unknown").putNull("merged_by")
                .put("comments", repo.comments.stream().filter(c -> c.issue == issue.number).count())
                .put("review_comments", repo.reviewComments.stream().filter(c -> c.pull == issue.number).count()).put("maintainer_can_modify", issue.pull.maintainerCanModify)
                .put("commits", ahead ? 1 : 0).put("additions", 0).put("deletions", 0).put("changed_files", 0);
        return body;
    }

    ObjectNode simplePull(HostedRepository repo, HostedRepository.Issue issue) {
        String repoApi = common.api() + "/repos/" + repo.fullName();
        String url = repoApi + "/pulls/" + issue.number;
        String issueUrl = repoApi + "/issues/" + issue.number;
        String html = common.baseUrl() + "/" + repo.fullName() + "/pull/" + issue.number;
        ObjectNode body = JSON.createObjectNode();
        body.put("url", url).put("id", issue.pull.id).put("node_id", nodeId("PR", issue.pull.id))
                .put("html_url", html).put("diff_url", html + ".diff").put("patch_url", html + ".patch")
                .put("issue_url", issueUrl).put("commits_url", url + "/commits")
                .put("review_comments_url", url + "/comments")
                .put("review_comment_url", repoApi + "/pulls/comments{/number}")
                .put("comments_url", issueUrl + "/comments");
        String headSha = repo.git.branch(issue.pull.head).map(ObjectId::name).orElse(ObjectId.zeroId().name());
        body.put("statuses_url", repoApi + "/statuses/" + headSha)
                .put("number", issue.number).put("state", issue.state).put("locked", false)
                .put("title", issue.title).set("user", common.user(issue.author));
        body.put("body", issue.body).set("labels", JSON.createArrayNode());
        body.putNull("milestone").putNull("active_lock_reason")
                .put("created_at", time(issue.createdAt)).put("updated_at", time(issue.updatedAt))
                .putNull("closed_at").putNull("merged_at").putNull("merge_commit_sha").putNull("assignee");
        body.set("assignees", JSON.createArrayNode());
        ArrayNode reviewers = JSON.createArrayNode();
        issue.pull.reviewers.forEach(login -> reviewers.add(common.user(login)));
        body.set("requested_reviewers", reviewers);
        body.set("requested_teams", JSON.createArrayNode());
        body.set("head", branchEnd(repo, issue.pull.head));
        body.set("base", branchEnd(repo, issue.pull.base));
        ObjectNode links = JSON.createObjectNode();
        link(links, "self", url);
        link(links, "html", html);
        link(links, "issue", issueUrl);
        link(links, "comments", issueUrl + "/comments");
        link(links, "review_comments", url + "/comments");
        link(links, "review_comment", repoApi + "/pulls/comments{/number}");
        link(links, "commits", url + "/commits");
        link(links, "statuses", repoApi + "/statuses/" + headSha);
        body.set("_links", links);
        body.put("author_association", repo.association(issue.author)).putNull("auto_merge")
                .put("draft", issue.pull.draft);
        return body;
    }

    private ObjectNode branchEnd(HostedRepository repo, String branch) {
        ObjectNode end = JSON.createObjectNode();
        end.put("label", repo.owner + ":" + branch).put("ref", branch)
                .put("sha", repo.git.branch(branch).map(ObjectId::name).orElse(ObjectId.zeroId().name()))
                .set("user", common.user(repo.owner));
        end.set("repo", common.repository(repo));
        return end;
    }

    private static void link(ObjectNode links, String name, String href) {
        links.set(name, JSON.createObjectNode().put("href", href));
    }

    /** A file, symlink or submodule as {@code content-file}/{@code content-symlink}, or a directory as an array. */
    JsonNode content(HostedRepository repo, String ref, BareRepository.Entry entry) {
        if (entry.children() == null) {
            ObjectNode body = contentEntry(repo, ref, entry);
            if ("file".equals(entry.type())) {
                // GitHub wraps base64 content at 60 characters with "\n".
                String encoded = Base64.getMimeEncoder(60, new byte[] {'\n'}).encodeToString(entry.data());
                body.put("content", encoded + "\n").put("encoding", "base64");
            } else if ("symlink".equals(entry.type())) {
                body.put("target", new String(entry.data(), StandardCharsets.UTF_8));
            }
            return body;
        }
        ArrayNode listing = JSON.createArrayNode();
        entry.children().forEach(child -> listing.add(contentEntry(repo, ref, child)));
        return listing;
    }

    private ObjectNode contentEntry(HostedRepository repo, String ref, BareRepository.Entry entry) {
        String repoApi = common.api() + "/repos/" + repo.fullName();
        String name = entry.path().substring(entry.path().lastIndexOf('/') + 1);
        String self = repoApi + "/contents/" + entry.path() + "?ref=" + URLEncoder.encode(ref, StandardCharsets.UTF_8);
        String git = repoApi + ("dir".equals(entry.type()) ? "/git/trees/" : "/git/blobs/") + entry.id().name();
        String html = common.baseUrl() + "/" + repo.fullName() + ("dir".equals(entry.type()) ? "/tree/" : "/blob/")
                + ref + "/" + entry.path();
        ObjectNode body = JSON.createObjectNode();
        body.put("type", entry.type()).put("size", entry.data() == null ? 0 : entry.data().length)
                .put("name", name).put("path", entry.path()).put("sha", entry.id().name())
                .put("url", self).put("git_url", git).put("html_url", html);
        if ("file".equals(entry.type()) || "symlink".equals(entry.type())) {
            body.put("download_url", common.baseUrl() + "/" + repo.fullName() + "/raw/" + ref + "/" + entry.path());
        } else {
            body.putNull("download_url");
        }
        ObjectNode links = JSON.createObjectNode().put("self", self).put("git", git).put("html", html);
        body.set("_links", links);
        return body;
    }
}
