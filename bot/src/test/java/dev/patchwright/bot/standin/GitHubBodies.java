package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds response bodies with the fields and URL templates of GitHub's REST description, for the
 * schemas {@code simple-user}, {@code integration}, {@code installation}, {@code full-repository},
 * {@code issue}, {@code issue-comment}, {@code reaction}, {@code pull-request} and the contents types.
 */
final class GitHubBodies {

    static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] REPO_URL_TEMPLATES = {
        "archive_url", "/{archive_format}{/ref}", "assignees_url", "/assignees{/user}",
        "blobs_url", "/git/blobs{/sha}", "branches_url", "/branches{/branch}",
        "collaborators_url", "/collaborators{/collaborator}", "comments_url", "/comments{/number}",
        "commits_url", "/commits{/sha}", "compare_url", "/compare/{base}...{head}",
        "contents_url", "/contents/{+path}", "contributors_url", "/contributors",
        "deployments_url", "/deployments", "downloads_url", "/downloads", "events_url", "/events",
        "forks_url", "/forks", "git_commits_url", "/git/commits{/sha}", "git_refs_url", "/git/refs{/sha}",
        "git_tags_url", "/git/tags{/sha}", "hooks_url", "/hooks", "issue_comment_url", "/issues/comments{/number}",
        "issue_events_url", "/issues/events{/number}", "issues_url", "/issues{/number}", "keys_url", "/keys{/key_id}",
        "labels_url", "/labels{/name}", "languages_url", "/languages", "merges_url", "/merges",
        "milestones_url", "/milestones{/number}", "notifications_url", "/notifications{?since,all,participating}",
        "pulls_url", "/pulls{/number}", "releases_url", "/releases{/id}", "stargazers_url", "/stargazers",
        "statuses_url", "/statuses/{sha}", "subscribers_url", "/subscribers", "subscription_url", "/subscription",
        "tags_url", "/tags", "teams_url", "/teams", "trees_url", "/git/trees{/sha}",
    };

    private final AtomicLong ids;
    private final Map<String, Long> userIds = new ConcurrentHashMap<>();
    private volatile String baseUrl = "http://127.0.0.1";
    final long appId;
    final String appSlug;
    final Instant appCreatedAt;

    GitHubBodies(long appId, String appSlug, AtomicLong ids, Instant now) {
        this.appId = appId;
        this.appSlug = appSlug;
        this.ids = ids;
        this.appCreatedAt = now;
    }

    void baseUrl(String url) {
        this.baseUrl = url;
    }

    String baseUrl() {
        return baseUrl;
    }

    String api() {
        return baseUrl + "/api/v3";
    }

    String botLogin() {
        return appSlug + "[bot]";
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String nodeId(String kind, long id) {
        return kind + "_" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("stand-in:" + kind + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    long userId(String login) {
        return userIds.computeIfAbsent(login, l -> ids.incrementAndGet());
    }

    ObjectNode user(String login) {
        long id = userId(login);
        String url = api() + "/users/" + login.replace("[", "%5B").replace("]", "%5D");
        ObjectNode user = JSON.createObjectNode();
        user.put("login", login).put("id", id).put("node_id", nodeId("U", id))
                .put("avatar_url", baseUrl + "/avatars/u/" + id).put("gravatar_id", "")
                .put("url", url).put("html_url", baseUrl + "/" + login)
                .put("followers_url", url + "/followers").put("following_url", url + "/following{/other_user}")
                .put("gists_url", url + "/gists{/gist_id}").put("starred_url", url + "/starred{/owner}{/repo}")
                .put("subscriptions_url", url + "/subscriptions").put("organizations_url", url + "/orgs")
                .put("repos_url", url + "/repos").put("events_url", url + "/events{/privacy}")
                .put("received_events_url", url + "/received_events")
                .put("type", login.endsWith("[bot]") ? "Bot" : "User")
                .put("user_view_type", "public").put("site_admin", false);
        return user;
    }

    ObjectNode permissions() {
        ObjectNode permissions = JSON.createObjectNode();
        permissions.put("checks", "write").put("contents", "write").put("issues", "write")
                .put("metadata", "read").put("pull_requests", "write");
        return permissions;
    }

    private ArrayNode events() {
        return JSON.createArrayNode().add("issues").add("issue_comment").add("pull_request")
                .add("pull_request_review").add("pull_request_review_comment");
    }

    ObjectNode app() {
        ObjectNode app = JSON.createObjectNode();
        app.put("id", appId).put("slug", appSlug).put("node_id", nodeId("A", appId))
                .put("client_id", "Iv1.standin" + appId).set("owner", user("patchwright-owner"));
        app.put("name", "Patchwright").put("description", "Autonomous pull requests")
                .put("external_url", baseUrl).put("html_url", baseUrl + "/apps/" + appSlug)
                .put("created_at", time(appCreatedAt)).put("updated_at", time(appCreatedAt));
        app.set("permissions", permissions());
        app.set("events", events());
        app.put("installations_count", 1);
        return app;
    }

    ObjectNode installation(long installationId, String account) {
        ObjectNode installation = JSON.createObjectNode();
        installation.put("id", installationId).set("account", user(account));
        installation.put("repository_selection", "all")
                .put("access_tokens_url", api() + "/app/installations/" + installationId + "/access_tokens")
                .put("repositories_url", api() + "/installation/repositories")
                .put("html_url", baseUrl + "/settings/installations/" + installationId)
                .put("app_id", appId).put("app_slug", appSlug).put("client_id", "Iv1.standin" + appId)
                .put("target_id", userId(account)).put("target_type", "User");
        installation.set("permissions", permissions());
        installation.set("events", events());
        installation.put("created_at", time(appCreatedAt)).put("updated_at", time(appCreatedAt))
                .putNull("single_file_name").put("has_multiple_single_files", false);
        installation.set("single_file_paths", JSON.createArrayNode());
        installation.putNull("suspended_by").putNull("suspended_at");
        return installation;
    }

    ObjectNode repository(HostedRepository repo) {
        String url = api() + "/repos/" + repo.fullName();
        String html = baseUrl + "/" + repo.fullName();
        ObjectNode body = JSON.createObjectNode();
        body.put("id", repo.id).put("node_id", nodeId("R", repo.id)).put("name", repo.name)
                .put("full_name", repo.fullName()).put("private", repo.isPrivate).set("owner", user(repo.owner));
        body.put("html_url", html).putNull("description").put("fork", false).put("url", url);
        for (int i = 0; i < REPO_URL_TEMPLATES.length; i += 2) {
            body.put(REPO_URL_TEMPLATES[i], url + REPO_URL_TEMPLATES[i + 1]);
        }
        String host = baseUrl.replaceFirst("^https?://", "");
        body.put("git_url", "git://" + host + "/" + repo.fullName() + ".git")
                .put("ssh_url", "git@" + host.replaceFirst(":\\d+$", "") + ":" + repo.fullName() + ".git")
                .put("clone_url", html + ".git").putNull("mirror_url").put("svn_url", html)
                .putNull("homepage").putNull("language");
        body.put("forks_count", 0).put("stargazers_count", 0).put("watchers_count", 0).put("size", 0)
                .put("default_branch", repo.defaultBranch()).put("open_issues_count", openIssues(repo))
                .put("is_template", false).set("topics", JSON.createArrayNode());
        body.put("has_issues", true).put("has_projects", false).put("has_wiki", false)
                .put("has_pages", false).put("has_downloads", true).put("has_discussions", false)
                .put("archived", false).put("disabled", false)
                .put("visibility", repo.isPrivate ? "private" : "public")
                .put("pushed_at", time(repo.createdAt)).put("created_at", time(repo.createdAt))
                .put("updated_at", time(repo.createdAt)).put("allow_forking", true)
                .put("web_commit_signoff_required", false).putNull("license")
                .put("forks", 0).put("open_issues", openIssues(repo)).put("watchers", 0)
                .put("network_count", 0).put("subscribers_count", 0);
        return body;
    }

    private static int openIssues(HostedRepository repo) {
        return (int) repo.issues.values().stream().filter(issue -> "open".equals(issue.state)).count();
    }

    ObjectNode reactionRollup(HostedRepository repo, String url, int issue) {
        ObjectNode rollup = JSON.createObjectNode();
        rollup.put("url", url + "/reactions");
        int total = 0;
        for (String content : new String[] {"+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"}) {
            int count = (int) repo.reactions.stream()
                    .filter(r -> r.issue() == issue && r.content().equals(content)).count();
            rollup.put(content, count);
            total += count;
        }
        rollup.put("total_count", total);
        return rollup;
    }

    ObjectNode reaction(HostedRepository.Reaction reaction) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", reaction.id()).put("node_id", nodeId("REA", reaction.id())).set("user", user(reaction.user()));
        body.put("content", reaction.content()).put("created_at", time(reaction.createdAt()));
        return body;
    }

    ObjectNode comment(HostedRepository repo, HostedRepository.Comment comment) {
        String repoApi = api() + "/repos/" + repo.fullName();
        String url = repoApi + "/issues/comments/" + comment.id;
        ObjectNode body = JSON.createObjectNode();
        body.put("id", comment.id).put("node_id", nodeId("IC", comment.id)).put("url", url)
                .put("html_url", baseUrl + "/" + repo.fullName() + "/issues/" + comment.issue + "#issuecomment-" + comment.id)
                .put("body", comment.body).set("user", user(comment.author));
        body.put("created_at", time(comment.createdAt)).put("updated_at", time(comment.updatedAt))
                .put("issue_url", repoApi + "/issues/" + comment.issue)
                .put("author_association", repo.association(comment.author));
        if (comment.author.equals(botLogin())) {
            body.set("performed_via_github_app", app());
        } else {
            body.putNull("performed_via_github_app");
        }
        ObjectNode reactions = JSON.createObjectNode();
        for (String content : new String[] {"+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"}) {
            reactions.put(content, 0);
        }
        body.set("reactions", reactions.put("url", url + "/reactions").put("total_count", 0));
        return body;
    }

    /** A {@code pull-request-review-comment}. */
    ObjectNode reviewComment(HostedRepository repo, HostedRepository.ReviewComment comment) {
        String repoApi = api() + "/repos/" + repo.fullName();
        String url = repoApi + "/pulls/comments/" + comment.id;
        String pullUrl = repoApi + "/pulls/" + comment.pull;
        String html = baseUrl + "/" + repo.fullName() + "/pull/" + comment.pull + "#discussion_r" + comment.id;
        ObjectNode body = JSON.createObjectNode();
        body.put("url", url).put("pull_request_review_id", comment.reviewId).put("id", comment.id)
                .put("node_id", nodeId("PRRC", comment.id)).put("diff_hunk", comment.diffHunk)
                .put("path", comment.path).put("commit_id", comment.commitId)
                .put("original_commit_id", comment.commitId).set("user", user(comment.author));
        body.put("body", comment.body).put("created_at", time(comment.createdAt))
                .put("updated_at", time(comment.updatedAt)).put("html_url", html).put("pull_request_url", pullUrl)
                .put("author_association", repo.association(comment.author));
        ObjectNode links = JSON.createObjectNode();
        links.set("self", JSON.createObjectNode().put("href", url));
        links.set("html", JSON.createObjectNode().put("href", html));
        links.set("pull_request", JSON.createObjectNode().put("href", pullUrl));
        body.set("_links", links);
        if (comment.inReplyTo != null) {
            body.put("in_reply_to_id", comment.inReplyTo);
        }
        if (comment.line != null) {
            body.put("line", comment.line).put("original_line", comment.line).put("side", "RIGHT");
        } else {
            body.putNull("line");
        }
        body.put("subject_type", "line");
        return body;
    }
}
