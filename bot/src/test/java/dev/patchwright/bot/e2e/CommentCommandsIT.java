package dev.patchwright.bot.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwright.bot.standin.GitHubRestAudit;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.patchwright.bot.e2e.EndToEndIT.awaitDelivery;
import static dev.patchwright.bot.e2e.EndToEndIT.awaitJob;
import static dev.patchwright.bot.e2e.EndToEndIT.count;
import static dev.patchwright.bot.e2e.EndToEndIT.deliver;
import static dev.patchwright.bot.e2e.EndToEndIT.query;
import static dev.patchwright.bot.e2e.EndToEndResources.github;
import static dev.patchwright.bot.e2e.EndToEndResources.model;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /patchwright} comment commands against the built bot, from the real {@code issue_comment.created} and
 * {@code pull_request.closed} payloads: what each command answers, who may use them, what never runs one, and how a
 * bot pull request's end reaches the status comment.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = EndToEndResources.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommentCommandsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String[]> ISSUES = new java.util.HashMap<>();
    private static final String SLOW_CONFIG = "test: python3 -c 'import time; time.sleep(4)'; false\ncandidates: 2\n";

    @Test
    @Order(1)
    void helpAndUnknownCommandsAnswerWithTheUsageAndAReactionAcknowledgesThem() throws Exception {
        EndToEndIT.repo("acme", "cmd", Map.of("app.py", "x = 1\n", ".github/patchwright.yml", SLOW_CONFIG), "Slow tests");
        issue("acme", "cmd", 1, "x should be 2", "Set x to 2.");
        github.setPermission("acme", "cmd", "maintainer", "write");

        long help = comment("acme", "cmd", 1, "maintainer", "/patchwright help");
        long unknown = comment("acme", "cmd", 1, "maintainer", "Please try:\n/patchwright deploy now");

        assertThat(github.commentReactions("acme", "cmd", help)).containsExactly("eyes");
        assertThat(github.commentReactions("acme", "cmd", unknown)).containsExactly("eyes");
        List<String> replies = botReplies("acme", "cmd", 1);
        assertThat(replies).hasSize(2);
        assertThat(replies.get(0)).startsWith("@maintainer Commands, each on a line of its own:")
                .contains("`/patchwright fix [budget=$N]`").contains("`/patchwright stop`");
        assertThat(replies.get(1)).startsWith("@maintainer `deploy` is not a Patchwright command.")
                .contains("`/patchwright help`");
        assertThat(count("jobs")).isZero();
    }

    @Test
    @Order(2)
    void aUserWithoutWriteAccessIsPolitelyRefusedAndNothingStarts() throws Exception {
        github.setPermission("acme", "cmd", "drive-by", "read");

        comment("acme", "cmd", 1, "drive-by", "/patchwright fix");

        assertThat(botReplies("acme", "cmd", 1)).last().isEqualTo("@drive-by Thanks! Patchwright starts work only for"
                + " users with write access to this repository, so this did not start anything. Someone with write"
                + " access can ask instead.");
        assertThat(count("jobs")).isZero();
    }

    @Test
    @Order(3)
    void botsCommentsTheBotsOwnAndEditedCommentsStartNothing() throws Exception {
        int before = github.comments("acme", "cmd", 1).size();
        github.setPermission("acme", "cmd", "dependabot[bot]", "write");

        String own = commentDelivery("created", "acme", "cmd", 1, github.botLogin(), "Bot", "/patchwright fix");
        String other = commentDelivery("created", "acme", "cmd", 1, "dependabot[bot]", "Bot", "/patchwright fix");
        String edited = commentDelivery("edited", "acme", "cmd", 1, "maintainer", "User", "/patchwright fix");

        assertThat(awaitDelivery(own)).containsEntry("status", "ignored");
        assertThat(awaitDelivery(other)).containsEntry("status", "ignored");
        assertThat((String) awaitDelivery(edited).get("outcome")).contains("edited comment never runs a command");
        assertThat(github.comments("acme", "cmd", 1)).as("only the three comments themselves").hasSize(before + 3);
        assertThat(count("jobs")).isZero();
    }

    @Test
    @Order(4)
    void aBudgetOverTheOperatorsMaximumIsRefusedNamingIt() throws Exception {
        comment("acme", "cmd", 1, "maintainer", "/patchwright fix budget=$1000");

        assertThat(botReplies("acme", "cmd", 1)).last().isEqualTo("@maintainer `budget=$1000.00` is more than the"
                + " per-issue maximum of $500.00 that the operator allows, so nothing was started. Ask for $500.00"
                + " or less.");
        assertThat(count("jobs")).isZero();
    }

    @Test
    @Order(5)
    void stopDuringARoundCancelsItAndReleasesWhatItHeld() throws Exception {
        int modelCalls = model.requests().size();
        comment("acme", "cmd", 1, "maintainer", "/patchwright fix budget=$3");
        long deadline = System.currentTimeMillis() + 30_000;
        while (count("spend_reservations r join jobs j on j.id = r.job_id where j.repository = 'acme/cmd'"
                + " and j.status = 'running' and r.status = 'held'") == 0) {
            assertThat(System.currentTimeMillis()).as("the job holds money for a step").isLessThan(deadline);
            Thread.sleep(50);
        }
        Map<String, Object> running = query("select id, payload->>'budget' as budget from jobs"
                + " where repository = 'acme/cmd'").get(0);
        assertThat(running.get("budget")).isEqualTo("$3.00");

        comment("acme", "cmd", 1, "maintainer", "/patchwright stop");

        Map<String, Object> job = awaitJob("acme/cmd", 1);
        assertThat(job.get("status")).isEqualTo("cancelled");
        assertThat(job.get("reason")).isEqualTo("@maintainer asked it to stop");
        assertThat(query("select status from spend_reservations where job_id = ?", job.get("id")))
                .isNotEmpty().allSatisfy(r -> assertThat(r.get("status")).isNotEqualTo("held"));
        assertThat(query("select reserved_micros from spend_totals where scope = 'job' and key = ?",
                job.get("id").toString())).singleElement().satisfies(t -> assertThat(t.get("reserved_micros")).isEqualTo(0L));
        assertThat(model.requests()).as("the model was never called").hasSize(modelCalls);
        List<String> replies = botReplies("acme", "cmd", 1);
        assertThat(replies).anySatisfy(r -> assertThat(r).startsWith("@maintainer Stopping the work on #1"));
        assertThat(replies).anySatisfy(r -> assertThat(r).contains("Patchwright stopped working on this issue:"
                + " @maintainer asked it to stop. Nothing was published."));
        assertThat(github.requests()).filteredOn(r -> r.path().endsWith("/issues/1/comments") && r.body() != null)
                .anySatisfy(r -> assertThat(r.body().path("body").asText()).contains("Budget: up to $3.00 (as asked)"));
    }

    @Test
    @Order(6)
    void statusAndBudgetSayWhereTheIssueStands() throws Exception {
        long id = (Long) awaitJob("acme/cmd", 1).get("id");

        comment("acme", "cmd", 1, "maintainer", "/patchwright status");
        comment("acme", "cmd", 1, "maintainer", "/patchwright budget");

        List<String> replies = botReplies("acme", "cmd", 1);
        assertThat(replies.get(replies.size() - 2)).isEqualTo("@maintainer The latest solve job for #1 (" + id
                + ") is cancelled: @maintainer asked it to stop.");
        assertThat(replies.get(replies.size() - 1)).startsWith("@maintainer #1 has spent $0.")
                .contains("each run on it may spend up to $5.00 (ask for up to $500.00")
                .containsPattern("This repository spent \\$0\\.\\d+ in \\d{4}-\\d{2} and has \\$49\\.\\d+ left of its"
                        + " \\$50\\.00 monthly budget\\.");
    }

    @Test
    @Order(7)
    void anAllowedListInTheRepositoryNarrowsWhoMayTrigger() throws Exception {
        EndToEndIT.repo("acme", "narrow", Map.of("app.py", "x = 1\n", ".github/patchwright.yml",
                "test: python3 -c 'pass'\nallowed: [acme/maintainers]\n"), "Narrowed");
        issue("acme", "narrow", 2, "Bug", "It breaks.");
        github.setPermission("acme", "narrow", "maintainer", "admin");
        github.setPermission("acme", "narrow", "lead", "write");
        github.addTeamMember("acme", "maintainers", "lead");

        comment("acme", "narrow", 2, "maintainer", "/patchwright status");
        comment("acme", "narrow", 2, "lead", "/patchwright status");

        List<String> replies = botReplies("acme", "narrow", 2);
        assertThat(replies.get(0)).isEqualTo("@maintainer Thanks! This repository's `.github/patchwright.yml` lets"
                + " only acme/maintainers start Patchwright, so this did not start anything.");
        assertThat(replies.get(1)).isEqualTo("@lead Patchwright has not worked on #2 yet.");
    }

    @Test
    @Order(8)
    void fixOpensAPullRequestWhoseMergeClosesTheLoopOnTheStatusComment() throws Exception {
        EndToEndIT.repo("acme", "calc", Map.of("calc.py", EndToEndIT.CALC_BUGGY, "test_calc.py", EndToEndIT.TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest -v\ncandidates: 1\n"), "Calculator with a bug");
        issue("acme", "calc", 7, "add() subtracts", "`add(2, 3)` returns -1.");
        github.setPermission("acme", "calc", "maintainer", "write");
        model.enqueue(EndToEndIT.RIGHT_ANSWER);

        comment("acme", "calc", 7, "maintainer", "/patchwright fix");
        Map<String, Object> job = awaitJob("acme/calc", 7);
        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        assertThat(query("select payload->>'issueTitle' as title from jobs where id = ?", job.get("id")))
                .singleElement().satisfies(row -> assertThat(row.get("title")).isEqualTo("add() subtracts"));
        List<Map<String, Object>> pulls = github.pullRequests("acme", "calc");
        assertThat(pulls).hasSize(1);
        int pr = ((Number) pulls.get(0).get("number")).intValue();

        // A command on the bot's pull request acts on its issue.
        long onPull = comment("acme", "calc", pr, true, "maintainer", "/patchwright status");
        assertThat(github.commentReactions("acme", "calc", onPull)).containsExactly("eyes");
        assertThat(botReplies("acme", "calc", pr)).singleElement()
                .satisfies(r -> assertThat(r).startsWith("@maintainer The latest solve job for #7 (" + job.get("id")
                        + ") is succeeded: "));

        String closed = UUID.randomUUID().toString();
        deliver("pull_request", closed, pullClosed("acme", "calc", pr, "patchwright/issue-7", true));
        assertThat(awaitDelivery(closed)).containsEntry("status", "handled");
        assertThat(github.comments("acme", "calc", 7)).last().satisfies(c -> assertThat((String) c.get("body"))
                .contains("Patchwright's pull request #" + pr + " was merged by @maintainer. The work on this issue is done."));
    }

    @Test
    @Order(9)
    void aBotPullRequestClosedUnmergedIsSaidOnTheStatusCommentAndAPersonsIsIgnored() throws Exception {
        int pr = ((Number) github.pullRequests("acme", "calc").get(0).get("number")).intValue();

        // The same pull request's delivery, as if it had been closed instead of merged.
        String closed = UUID.randomUUID().toString();
        deliver("pull_request", closed, pullClosed("acme", "calc", pr, "patchwright/issue-7", false));
        String persons = UUID.randomUUID().toString();
        byte[] notOurs = pullClosed("acme", "calc", pr, "feature/readme", false);
        deliver("pull_request", persons, notOurs);

        assertThat(awaitDelivery(closed)).containsEntry("status", "handled");
        assertThat(awaitDelivery(persons)).containsEntry("status", "ignored");
        assertThat(github.comments("acme", "calc", 7)).last().satisfies(c -> assertThat((String) c.get("body"))
                .contains("Patchwright's pull request #" + pr + " was closed without merging. Add the trigger label"
                        + " again or comment `/patchwright fix` to try anew."));
    }

    @Test
    @Order(10)
    void retryStartsAgainAndASecondFixWhileItRunsIsToldSo() throws Exception {
        long previous = (Long) awaitJob("acme/cmd", 1).get("id");

        comment("acme", "cmd", 1, "maintainer", "/patchwright retry");
        comment("acme", "cmd", 1, "maintainer", "/patchwright fix");
        comment("acme", "cmd", 1, "maintainer", "/patchwright stop");

        Map<String, Object> job = awaitJob("acme/cmd", 1, previous);
        assertThat(job.get("status")).isEqualTo("cancelled");
        assertThat(count("jobs where repository = 'acme/cmd'")).isEqualTo(2);
        List<String> replies = botReplies("acme", "cmd", 1);
        assertThat(replies).contains("@maintainer Patchwright is already working on #1; `/patchwright stop` stops it.");
    }

    @Test
    @Order(20)
    void everyGitHubCallExistsInGitHubsPublishedApi() throws Exception {
        assertThat(GitHubRestAudit.load().check(Path.of("target", "github-requests.jsonl"))).isEmpty();
    }

    // --- helpers -------------------------------------------------------------------------------

    private static void issue(String owner, String repo, int number, String title, String body) {
        github.addIssue(owner, repo, number, title, body, "maintainer");
        ISSUES.put(owner + "/" + repo + "#" + number, new String[] {title, body});
    }

    /** Posts a comment as a person on the issue, delivers it, and waits until the bot handled it. */
    private static long comment(String owner, String repo, int issue, String author, String body) throws Exception {
        return comment(owner, repo, issue, false, author, body);
    }

    private static long comment(String owner, String repo, int issue, boolean pull, String author, String body)
            throws Exception {
        long id = github.addComment(owner, repo, issue, author, body);
        String delivery = UUID.randomUUID().toString();
        deliver("issue_comment", delivery, commentEvent("created", owner, repo, issue, pull, id, author, "User", body));
        Map<String, Object> handled = awaitDelivery(delivery);
        assertThat(handled.get("status")).as("delivery %s", handled).isIn("handled", "ignored");
        return id;
    }

    private static String commentDelivery(String action, String owner, String repo, int issue, String author,
                                          String type, String body) throws Exception {
        long id = github.addComment(owner, repo, issue, author, body);
        String delivery = UUID.randomUUID().toString();
        deliver("issue_comment", delivery, commentEvent(action, owner, repo, issue, false, id, author, type, body));
        return delivery;
    }

    /** What the bot wrote on the issue, oldest first, without its status comment. */
    private static List<String> botReplies(String owner, String repo, int issue) {
        return github.comments(owner, repo, issue).stream()
                .filter(c -> github.botLogin().equals(((Map<?, ?>) c.get("user")).get("login")))
                .map(c -> (String) c.get("body"))
                .filter(body -> !body.startsWith("<!-- patchwright:status -->") || body.contains("stopped working"))
                .toList();
    }

    private static byte[] commentEvent(String action, String owner, String repo, int issue, boolean pull, long commentId,
                                       String author, String type, String body) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(CommentCommandsIT.class.getResourceAsStream(
                "/e2e/issue_comment-created.json"));
        root.put("action", action);
        pointAtStandIn(root, owner, repo);
        ObjectNode issueNode = (ObjectNode) root.get("issue");
        String issueUrl = github.apiUrl() + "/repos/" + owner + "/" + repo + "/issues/" + issue;
        String[] stored = ISSUES.getOrDefault(owner + "/" + repo + "#" + issue, new String[] {"An issue", "Text."});
        issueNode.put("number", issue).put("title", stored[0]).put("body", stored[1]).put("state", "open")
                .put("url", issueUrl);
        if (pull) {
            issueNode.putObject("pull_request").put("url", github.apiUrl() + "/repos/" + owner + "/" + repo + "/pulls/"
                    + issue);
        }
        ObjectNode comment = (ObjectNode) root.get("comment");
        comment.put("id", commentId).put("body", body).put("issue_url", issueUrl)
                .put("url", github.apiUrl() + "/repos/" + owner + "/" + repo + "/issues/comments/" + commentId);
        ((ObjectNode) comment.get("user")).put("login", author).put("type", type);
        ((ObjectNode) root.get("sender")).put("login", author).put("type", type);
        return JSON.writeValueAsBytes(root);
    }

    private static byte[] pullClosed(String owner, String repo, int number, String branch, boolean merged)
            throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(CommentCommandsIT.class.getResourceAsStream(
                "/e2e/pull_request-closed.json"));
        pointAtStandIn(root, owner, repo);
        root.put("number", number);
        ObjectNode pull = (ObjectNode) root.get("pull_request");
        pull.put("number", number).put("merged", merged);
        ((ObjectNode) pull.get("head")).put("ref", branch);
        ((ObjectNode) pull.get("user")).put("login", github.botLogin()).put("type", "Bot");
        if (merged) {
            pull.putObject("merged_by").put("login", "maintainer").put("type", "User");
        }
        ((ObjectNode) root.get("sender")).put("login", "maintainer");
        return JSON.writeValueAsBytes(root);
    }

    private static void pointAtStandIn(ObjectNode root, String owner, String repo) {
        ObjectNode repository = (ObjectNode) root.get("repository");
        repository.put("name", repo).put("full_name", owner + "/" + repo).put("default_branch", "main")
                .put("clone_url", github.cloneUrl(owner, repo))
                .put("url", github.apiUrl() + "/repos/" + owner + "/" + repo);
        ((ObjectNode) repository.get("owner")).put("login", owner);
        root.putObject("installation").put("id", github.installationId()).put("node_id", "MDIzOkluc3RhbGxhdGlvbjE=");
    }
}
