package dev.patchwright.bot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwright.bot.standin.GitHubRestAudit;
import dev.patchwright.bot.standin.GitHubStandIn;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import static dev.patchwright.bot.e2e.EndToEndIT.awaitDelivery;
import static dev.patchwright.bot.e2e.EndToEndIT.count;
import static dev.patchwright.bot.e2e.EndToEndIT.deliver;
import static dev.patchwright.bot.e2e.EndToEndIT.query;
import static dev.patchwright.bot.e2e.EndToEndResources.github;
import static dev.patchwright.bot.e2e.EndToEndResources.model;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reviews on Patchwright's pull request, against the built bot, from the real {@code pull_request_review.submitted}
 * and {@code pull_request_review_comment.created} payloads: a review becomes one revision whose prompt holds every
 * comment with its hunk, pushed on top of the branch with a reply in each thread; a burst of line comments becomes one
 * job; people without permission and bots start nothing; a person's push meanwhile is never overwritten.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = EndToEndResources.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReviewRevisionsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BRANCH = "patchwright/issue-1";
    private static final String HUNK = "@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b";
    /**
     * A revision the reviewers' comments ask for: type hints and a docstring, the sum unchanged, and a line of the test
     * the pull request added rewritten (not only added to, which existing tests allow anyway).
     */
    private static final String TIDY = """
            Type hints and a docstring, as asked.

            ```
            calc.py
            <<<<<<< SEARCH
            def add(a, b):
                return a + b
            =======
            def add(a: int, b: int) -> int:
                \"\"\"The sum of a and b.\"\"\"
                return a + b
            >>>>>>> REPLACE
            ```

            ```
            test_add_pr.py
            <<<<<<< SEARCH
                    self.assertEqual(add(2, 3), 5)
            =======
                    self.assertEqual(add(2, -3), -1)
            >>>>>>> REPLACE
            ```
            """;
    /** The solve's answer: the fix, with a test of its own in a new file. */
    private static final String FIX_WITH_TEST = EndToEndIT.RIGHT_ANSWER + """

            ```
            test_add_pr.py
            <<<<<<< SEARCH
            =======
            import unittest
            from calc import add


            class AddTest(unittest.TestCase):
                def test_adds(self):
                    self.assertEqual(add(2, 3), 5)
            >>>>>>> REPLACE
            ```
            """;
    private static Path bare;
    private static int pull;

    @Test
    @Order(1)
    void aReviewWithTwoLineCommentsBecomesOneRevisionOnTopOfTheBranchWithAReplyInEachThread() throws Exception {
        bare = github.createRepo("acme", "rev", "main");
        github.commitFiles("acme", "rev", "main", Map.of("calc.py", EndToEndIT.CALC_BUGGY, "test_calc.py",
                EndToEndIT.TESTS, ".github/patchwright.yml", "test: python3 -m unittest -v\ncandidates: 1\n"), "Calc");
        github.addIssue("acme", "rev", 1, "add() subtracts", "`add(2, 3)` returns -1.", "maintainer");
        github.setPermission("acme", "rev", "maintainer", "write");
        model.enqueue(FIX_WITH_TEST);
        long solve = startSolve();
        assertThat(query("select status from jobs where id = ?", solve)).singleElement()
                .satisfies(row -> assertThat(row.get("status")).isEqualTo("succeeded"));
        pull = ((Number) github.pullRequests("acme", "rev").get(0).get("number")).intValue();
        String before = github.branchSha("acme", "rev", BRANCH).orElseThrow();
        int calls = model.requests().size();

        GitHubStandIn.Review review = github.addReview("acme", "rev", pull, "maintainer", List.of(
                new GitHubStandIn.LineComment("calc.py", 1, HUNK, "Please give add() type hints."),
                new GitHubStandIn.LineComment("calc.py", 2, HUNK, "And a docstring saying what it returns."
                        + " Your test should use a negative number.")));
        model.enqueue(TIDY);
        String delivery = UUID.randomUUID().toString();
        deliver("pull_request_review", delivery, reviewEvent(review.id(), "changes_requested",
                "Two small things before this goes in.", "maintainer", "User"));
        assertThat(awaitDelivery(delivery)).containsEntry("status", "handled");

        Map<String, Object> job = awaitRevision(solve);
        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        assertThat(count("jobs where kind = 'revise'")).isEqualTo(1);
        // One budget for the issue: the revision may spend only what the solve left of the $5.00 per issue.
        long solveSpent = (Long) query("select spent_micros from spend_totals where scope = 'job' and key = ?",
                String.valueOf(solve)).get(0).get("spent_micros");
        assertThat(solveSpent).isPositive();
        assertThat(query("select result->'spend'->>'issueLimit' as limit from jobs where id = ?", job.get("id")))
                .singleElement().satisfies(row -> assertThat(row.get("limit")).isEqualTo(
                        dev.patchwright.inference.money.Money.ofMicros(5_000_000 - solveSpent).toString()));
        assertThat(model.requests()).hasSize(calls + 1);
        String prompt = prompt(model.requests().get(calls));
        assertThat(prompt).contains("Please give add() type hints.").contains("And a docstring saying what it returns.")
                .contains("Two small things before this goes in.").contains("-    return a - b")
                .contains("### Comment 1 on calc.py, line 1").contains("### Comment 2 on calc.py, line 2")
                .contains("Patchwright's pull request #" + pull);

        String after = github.branchSha("acme", "rev", BRANCH).orElseThrow();
        assertThat(after).isNotEqualTo(before);
        assertThat(parent(after)).as("the revision is a new commit on top of the previous head").isEqualTo(before);
        assertThat(github.readFile("acme", "rev", BRANCH, "calc.py")).hasValueSatisfying(text ->
                assertThat(text).contains("def add(a: int, b: int) -> int:").contains("return a + b"));
        assertThat(github.readFile("acme", "rev", BRANCH, "test_add_pr.py")).as("the pull request's own test may change")
                .hasValueSatisfying(text -> assertThat(text).contains("self.assertEqual(add(2, -3), -1)"));
        List<Map<String, Object>> comments = github.reviewComments("acme", "rev", pull);
        for (long id : review.commentIds()) {
            assertThat(comments).as("a reply in the thread of comment %d", id).anySatisfy(c -> {
                assertThat(((Map<?, ?>) c.get("user")).get("login")).isEqualTo(github.botLogin());
                assertThat(c.get("in_reply_to_id")).isNotNull();
                assertThat(((Number) c.get("in_reply_to_id")).longValue()).isEqualTo(id);
                assertThat((String) c.get("body")).startsWith("Changed in [" + after.substring(0, 7) + "](")
                        .contains("`calc.py`").contains("passes");
            });
        }
        assertThat(github.comments("acme", "rev", pull)).anySatisfy(c -> assertThat((String) c.get("body"))
                .startsWith("@maintainer Changed in [" + after.substring(0, 7) + "]"));
        assertThat(github.checkRuns("acme", "rev", after)).singleElement().satisfies(run -> {
            assertThat(run.get("name")).isEqualTo("Patchwright");
            assertThat(run.get("conclusion")).isEqualTo("success");
        });
        assertThat(github.comments("acme", "rev", 1)).anySatisfy(c -> assertThat((String) c.get("body"))
                .contains("Patchwright revised").contains("for the review by @maintainer"));
        assertThat(github.requests()).as("the status comment while it worked").anySatisfy(r -> assertThat(
                r.body() == null ? "" : r.body().path("body").asText())
                .startsWith("<!-- patchwright:status -->").contains("Patchwright is revising #" + pull
                        + " for the review by @maintainer."));
    }

    @Test
    @Order(2)
    void fiveLineCommentsWithinTheWindowMakeOneRevision() throws Exception {
        long last = lastJob();
        int calls = model.requests().size();
        model.enqueue(docstring("The sum of a and b.", "Return the sum of a and b."));
        List<Long> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            // GitHub sends a lone line comment twice: as a review without text, and as a review comment.
            GitHubStandIn.Review single = github.addReview("acme", "rev", pull, "maintainer", List.of(
                    new GitHubStandIn.LineComment("calc.py", 2, HUNK, "Nit " + i + ": the docstring should say Return.")));
            ids.add(single.commentIds().get(0));
            deliver("pull_request_review", UUID.randomUUID().toString(), reviewEvent(single.id(), "commented", null,
                    "maintainer", "User"));
            deliver("pull_request_review_comment", UUID.randomUUID().toString(), commentEvent(single.commentIds().get(0),
                    single.id(), "Nit " + i + ": the docstring should say Return.", "maintainer", "User"));
        }

        Map<String, Object> job = awaitRevision(last);
        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        String prompt = prompt(model.requests().get(calls));
        for (int i = 1; i <= 5; i++) {
            assertThat(prompt).contains("Nit " + i + ": the docstring should say Return.");
        }
        assertThat(prompt).as("threads Patchwright answered are settled").doesNotContain("Please give add() type hints.");
        Thread.sleep(6_000); // more than the test's debounce window: no second job follows
        assertThat(count("jobs where kind = 'revise' and id > " + last)).isEqualTo(1);
        String head = github.branchSha("acme", "rev", BRANCH).orElseThrow();
        List<Map<String, Object>> comments = github.reviewComments("acme", "rev", pull);
        for (long id : ids) {
            assertThat(comments).anySatisfy(c -> {
                assertThat(c.get("in_reply_to_id")).isNotNull();
                assertThat(((Number) c.get("in_reply_to_id")).longValue()).isEqualTo(id);
                assertThat((String) c.get("body")).startsWith("Changed in [" + head.substring(0, 7) + "](");
            });
        }
    }

    @Test
    @Order(3)
    void praiseReviewsFromPeopleWithoutPermissionFromBotsAndFromPatchwrightItselfStartNothing() throws Exception {
        long last = lastJob();
        github.setPermission("acme", "rev", "drive-by", "read");
        github.setPermission("acme", "rev", "dependabot[bot]", "write");

        GitHubStandIn.Review stranger = github.addReview("acme", "rev", pull, "drive-by", List.of(
                new GitHubStandIn.LineComment("calc.py", 2, HUNK, "Rewrite it in Rust.")));
        String strangers = UUID.randomUUID().toString();
        deliver("pull_request_review", strangers, reviewEvent(stranger.id(), "changes_requested", "Please change it.",
                "drive-by", "User"));
        String strangersComment = UUID.randomUUID().toString();
        deliver("pull_request_review_comment", strangersComment, commentEvent(stranger.commentIds().get(0),
                stranger.id(), "Rewrite it in Rust.", "drive-by", "User"));
        GitHubStandIn.Review robot = github.addReview("acme", "rev", pull, "dependabot[bot]", List.of(
                new GitHubStandIn.LineComment("calc.py", 1, HUNK, "Bump calc.")));
        String bots = UUID.randomUUID().toString();
        deliver("pull_request_review", bots, reviewEvent(robot.id(), "changes_requested", "Bump.", "dependabot[bot]",
                "Bot"));
        String praise = UUID.randomUUID().toString();
        deliver("pull_request_review", praise, reviewEvent(stranger.id() + 1000, "commented", "Looks good, thanks!",
                "maintainer", "User"));
        String own = UUID.randomUUID().toString();
        deliver("pull_request_review_comment", own, commentEvent(42L, 43L, "Changed in abc1234.", github.botLogin(),
                "Bot"));
        String edited = UUID.randomUUID().toString();
        byte[] edit = commentEvent(stranger.commentIds().get(0), stranger.id(), "Rewrite it in Rust!", "maintainer",
                "User");
        ObjectNode editedRoot = (ObjectNode) JSON.readTree(edit);
        editedRoot.put("action", "edited");
        deliver("pull_request_review_comment", edited, JSON.writeValueAsBytes(editedRoot));

        assertThat(awaitDelivery(strangers)).containsEntry("status", "ignored");
        assertThat((String) awaitDelivery(praise).get("outcome")).contains("without line comments asks for no change");
        assertThat((String) awaitDelivery(bots).get("outcome")).contains("never start a revision");
        assertThat((String) awaitDelivery(own).get("outcome")).contains("never start a revision");
        assertThat(awaitDelivery(edited)).containsEntry("status", "ignored");
        // The drive-by's line comment waits for the window like any other, and is then left out.
        assertThat(awaitDelivery(strangersComment)).containsEntry("status", "handled");
        assertThat(github.comments("acme", "rev", pull)).last().satisfies(c -> assertThat((String) c.get("body"))
                .startsWith("@drive-by Thanks! Patchwright starts work only for users with write access"));
        Thread.sleep(7_000);
        assertThat(count("jobs where id > " + last)).isZero();
    }

    @Test
    @Order(4)
    void aPersonsPushWhileTheRevisionRunsIsNeverOverwritten() throws Exception {
        long last = lastJob();
        GitHubStandIn.Review review = github.addReview("acme", "rev", pull, "maintainer", List.of(
                new GitHubStandIn.LineComment("calc.py", 2, HUNK, "The docstring should mention integers.")));
        CountDownLatch release = model.enqueueHeld(docstring("Return the sum of a and b.",
                "Return the sum of the integers a and b."));
        int calls = model.requests().size();
        deliver("pull_request_review", UUID.randomUUID().toString(), reviewEvent(review.id(), "changes_requested", "",
                "maintainer", "User"));
        long deadline = System.currentTimeMillis() + 60_000;
        while (model.requests().size() == calls) {
            assertThat(System.currentTimeMillis()).as("the revision asks the model").isLessThan(deadline);
            Thread.sleep(100);
        }
        String persons = github.commitFiles("acme", "rev", BRANCH, Map.of("NOTES.md", "Reviewed by hand.\n"),
                "A maintainer's own commit");
        release.countDown();

        Map<String, Object> job = awaitRevision(last);
        assertThat(job.get("status")).isEqualTo("failed");
        assertThat((String) job.get("reason")).contains("someone pushed to " + BRANCH);
        assertThat(github.branchSha("acme", "rev", BRANCH)).hasValue(persons);
        assertThat(github.reviewComments("acme", "rev", pull)).anySatisfy(c -> {
            assertThat(c.get("in_reply_to_id")).isNotNull();
            assertThat(((Number) c.get("in_reply_to_id")).longValue()).isEqualTo(review.commentIds().get(0));
            assertThat((String) c.get("body")).startsWith("No change was made: someone pushed to " + BRANCH)
                    .contains("nothing of theirs was overwritten");
        });
    }

    @Test
    @Order(20)
    void everyGitHubCallExistsInGitHubsPublishedApi() throws Exception {
        assertThat(GitHubRestAudit.load().check(Path.of("target", "github-requests.jsonl"))).isEmpty();
    }

    // --- helpers -------------------------------------------------------------------------------

    /** An answer that rewrites add()'s docstring. */
    private static String docstring(String from, String to) {
        return "The docstring, as asked.\n\n```\ncalc.py\n<<<<<<< SEARCH\n    \"\"\"" + from + "\"\"\"\n=======\n"
                + "    \"\"\"" + to + "\"\"\"\n>>>>>>> REPLACE\n```\n";
    }

    private static long startSolve() throws Exception {
        long comment = github.addComment("acme", "rev", 1, "maintainer", "/patchwright fix");
        ObjectNode root = (ObjectNode) JSON.readTree(ReviewRevisionsIT.class.getResourceAsStream(
                "/e2e/issue_comment-created.json"));
        pointAtStandIn(root);
        String issueUrl = github.apiUrl() + "/repos/acme/rev/issues/1";
        ((ObjectNode) root.get("issue")).put("number", 1).put("title", "add() subtracts")
                .put("body", "`add(2, 3)` returns -1.").put("state", "open").put("url", issueUrl);
        ObjectNode node = (ObjectNode) root.get("comment");
        node.put("id", comment).put("body", "/patchwright fix").put("issue_url", issueUrl);
        ((ObjectNode) node.get("user")).put("login", "maintainer").put("type", "User");
        ((ObjectNode) root.get("sender")).put("login", "maintainer").put("type", "User");
        deliver("issue_comment", UUID.randomUUID().toString(), JSON.writeValueAsBytes(root));
        return (Long) EndToEndIT.awaitJob("acme/rev", 1).get("id");
    }

    private static long lastJob() throws Exception {
        return (Long) query("select coalesce(max(id), 0) as id from jobs").get(0).get("id");
    }

    /** The first finished revision after job {@code after}. */
    private static Map<String, Object> awaitRevision(long after) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            List<Map<String, Object>> rows = query("select * from jobs where kind = 'revise' and id > ?"
                    + " and status in ('succeeded', 'failed', 'cancelled') order by id", after);
            if (!rows.isEmpty()) {
                return rows.get(0);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no revision finished in 120 s: " + query("select * from jobs")
                + " events: " + query("select kind, message from job_events order by id"));
    }

    private static String prompt(JsonNode request) {
        StringBuilder text = new StringBuilder();
        request.path("messages").forEach(message -> text.append(message.path("content").asText()).append('\n'));
        return text.toString();
    }

    private static String parent(String sha) throws IOException {
        try (Repository repo = new FileRepositoryBuilder().setGitDir(bare.toFile()).build();
             RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(ObjectId.fromString(sha)).getParent(0).getName();
        }
    }

    private static byte[] reviewEvent(long reviewId, String state, String body, String author, String type)
            throws IOException {
        return new ReviewPayloads(github, "acme", "rev", pull, BRANCH).review(reviewId, state, body, author, type);
    }

    private static byte[] commentEvent(long commentId, long reviewId, String body, String author, String type)
            throws IOException {
        return new ReviewPayloads(github, "acme", "rev", pull, BRANCH).comment(commentId, reviewId, "calc.py", HUNK,
                body, author, type);
    }

    private static void pointAtStandIn(ObjectNode root) {
        ObjectNode repository = (ObjectNode) root.get("repository");
        repository.put("name", "rev").put("full_name", "acme/rev").put("default_branch", "main")
                .put("clone_url", github.cloneUrl("acme", "rev"))
                .put("url", github.apiUrl() + "/repos/acme/rev");
        ((ObjectNode) repository.get("owner")).put("login", "acme");
        root.putObject("installation").put("id", github.installationId()).put("node_id", "MDIzOkluc3RhbGxhdGlvbjE=");
    }
}
