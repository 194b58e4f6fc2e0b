package dev.patchwright.bot.e2e;

import dev.patchwright.bot.standin.GitHubRestAudit;
import dev.patchwright.bot.standin.GitHubStandIn;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.response.Response;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.patchwright.bot.e2e.EndToEndResources.WEBHOOK_SECRET;
import static dev.patchwright.bot.e2e.EndToEndResources.github;
import static dev.patchwright.bot.e2e.EndToEndResources.model;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path against the built bot in production mode: a signed {@code issues.labeled} delivery
 * becomes a pull request whose branch holds exactly the right patch, after a wrong candidate was
 * rejected by the repository's own failing test. Then the ways it must say no, or say why not.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = EndToEndResources.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

    static final String CALC_BUGGY = "def add(a, b):\n    return a - b\n";
    static final String CALC_FIXED = "def add(a, b):\n    return a + b\n";
    static final String TESTS = """
            import unittest
            from calc import add


            class CalcTest(unittest.TestCase):
                def test_add(self):
                    self.assertEqual(add(2, 3), 5)

                def test_add_zero(self):
                    self.assertEqual(add(7, 0), 7)


            if __name__ == "__main__":
                unittest.main()
            """;
    static final String WRONG_ANSWER = """
            The subtraction should be a multiplication.

            calc.py
            <<<<<<< SEARCH
                return a - b
            =======
                return a * b
            >>>>>>> REPLACE
            """;
    static final String RIGHT_ANSWER = """
            `add` subtracts; it must add.

            ```
            calc.py
            <<<<<<< SEARCH
                return a - b
            =======
                return a + b
            >>>>>>> REPLACE
            ```
            """;

    private static final Map<String, Path> REPOS = new java.util.HashMap<>();
    private static final Map<String, String[]> ISSUES = new java.util.HashMap<>();

    static void repo(String owner, String name, Map<String, String> files, String message) {
        REPOS.put(owner + "/" + name, github.createRepo(owner, name, "main"));
        github.commitFiles(owner, name, "main", files, message);
    }

    static void issue(String owner, String name, int number, String title, String body, String author) {
        github.addIssue(owner, name, number, title, body, author);
        ISSUES.put(owner + "/" + name + "#" + number, new String[] {title, body});
    }

    @Test
    @Order(1)
    void unsignedAndBadlySignedDeliveriesAreRefusedAndRecordNothing() throws Exception {
        byte[] body = labeled("acme", "calc", 1, "patchwright", "maintainer");
        long before = count("webhook_deliveries");

        given().header("X-GitHub-Event", "issues").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .contentType("application/json").body(body)
                .post("/webhook").then().statusCode(401);
        given().header("X-GitHub-Event", "issues").header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", GitHubStandIn.signature("not-the-secret", body))
                .contentType("application/json").body(body)
                .post("/webhook").then().statusCode(401);

        assertThat(count("webhook_deliveries")).isEqualTo(before);
        assertThat(count("jobs")).isZero();
    }

    @Test
    @Order(2)
    void malformedJsonIsRefusedWithTheReason() throws Exception {
        long before = count("webhook_deliveries");
        Response response = deliver("issues", UUID.randomUUID().toString(), "{\"action\": \"labeled\", ".getBytes());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.jsonPath().getString("error")).contains("not valid JSON");
        assertThat(count("webhook_deliveries")).isEqualTo(before);
    }

    @Test
    @Order(3)
    void aLabeledIssueBecomesAVerifiedPullRequest() throws Exception {
        repo("acme", "calc", Map.of(
                "calc.py", CALC_BUGGY,
                "test_calc.py", TESTS,
                ".github/patchwright.yml", "setup: mkdir -p $HOME/deps && echo 5 > $HOME/deps/expected\n"
                        + "test: test \"$(cat $HOME/deps/expected)\" = 5 && python3 -m unittest -v\n"
                        + "test-timeout: 60s\ncandidates: 1\nrounds: 3\n"),
                "Calculator with a bug");
        issue("acme", "calc", 7, "add() subtracts", "`add(2, 3)` returns -1 instead of 5.", "maintainer");
        github.setPermission("acme", "calc", "maintainer", "write");
        ObjectId base = head("acme", "calc", "main");
        model.enqueue(WRONG_ANSWER);
        model.enqueue(RIGHT_ANSWER);

        String delivery = UUID.randomUUID().toString();
        byte[] body = labeled("acme", "calc", 7, "patchwright", "maintainer");
        assertThat(deliver("issues", delivery, body).statusCode()).isEqualTo(202);
        // GitHub redelivers: the same delivery id must not make a second job.
        assertThat(deliver("issues", delivery, body).statusCode()).isEqualTo(200);

        Map<String, Object> job = awaitJob("acme/calc", 7);
        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        assertThat(count("jobs where repository = 'acme/calc' and issue_number = 7")).isEqualTo(1);

        // The branch holds exactly the right patch on top of the base commit.
        ObjectId branchHead = head("acme", "calc", "patchwright/issue-7");
        assertThat(parentOf("acme", "calc", branchHead)).isEqualTo(base);
        assertThat(changedPaths("acme", "calc", base, branchHead)).containsExactly("calc.py");
        assertThat(fileAt("acme", "calc", branchHead, "calc.py")).isEqualTo(CALC_FIXED);

        List<Map<String, Object>> pulls = github.pullRequests("acme", "calc");
        assertThat(pulls).hasSize(1);
        assertThat(pulls.get(0).get("head").toString()).contains("patchwright/issue-7");
        assertThat((String) pulls.get(0).get("body")).startsWith("Fixes #7")
                .contains("python3 -m unittest -v").contains("| setup |")
                .contains("| round 1, candidate 1 |").contains("| round 2, candidate 2 |").contains("test_add")
                .contains("Time per phase: fetch");
        assertThat(job.get("result_url")).isEqualTo(pulls.get(0).get("html_url"));

        // The evidence as a check run on the pushed commit.
        assertThat(github.checkRuns("acme", "calc", branchHead.name())).singleElement().satisfies(run -> {
            assertThat(run).containsEntry("name", "Patchwright").containsEntry("status", "completed")
                    .containsEntry("conclusion", "success");
            @SuppressWarnings("unchecked")
            Map<String, Object> output = (Map<String, Object>) run.get("output");
            assertThat((String) output.get("title")).isEqualTo("Verified: 1 test from failing to passing, nothing broken");
            assertThat((String) output.get("summary")).contains("**Base commit**", "failed", "test_calc.CalcTest.test_add",
                    "round 1: 1 (0 accepted); round 2: 1 (1 accepted)", "Candidate 2 won with 1 vote",
                    "candidate 1 (round 1): it breaks tests that passed on the base commit: test_calc.CalcTest.test_add_zero",
                    "Accepted: test_calc.CalcTest.test_add fails on the base commit and passes with the patch", "Spent: **$", "Time: ", "baseline ");
        });

        // The wrong candidate is on record, rejected, with the failing test named.
        List<Map<String, Object>> candidates = candidates((Long) job.get("id"));
        assertThat(candidates).hasSize(2);
        assertThat(candidates.get(0).get("status")).isEqualTo("rejected");
        assertThat((String[]) candidates.get(0).get("failing_tests")).anyMatch(name -> name.contains("test_add"));
        assertThat((String) candidates.get(0).get("reason")).contains("test_add");
        assertThat(candidates.get(1).get("status")).isEqualTo("passed");

        assertThat(github.reactions("acme", "calc", 7)).contains("eyes");
        assertThat(github.comments("acme", "calc", 7)).hasSize(1)
                .first().satisfies(c -> assertThat((String) c.get("body")).contains(pulls.get(0).get("html_url").toString())
                        .containsPattern("It spent \\$0\\.\\d+; this repository has \\$49\\.\\d+ left of its \\$50\\.00 budget this month\\."));

        // Money: the quote before the first model call, every call and test run in the ledger, the spend in the PR.
        assertThat(github.requests()).filteredOn(r -> r.method().equals("PATCH") && r.path().contains("/issues/comments/"))
                .anySatisfy(r -> assertThat(r.body().path("body").asText()).contains("**Quote:** 3 candidates × ")
                        .contains("input $2.00/M, cached $0.50/M, output $8.00/M")
                        .contains("of $5.00 for this issue").contains("of $50.00 for this repository this month"));
        List<Map<String, Object>> ledger = ledger((Long) job.get("id"));
        assertThat(ledger).filteredOn(e -> "model".equals(e.get("kind"))).hasSize(2)
                .allSatisfy(e -> assertThat((Long) e.get("prompt_tokens")).isPositive());
        assertThat(ledger).filteredOn(e -> "sandbox".equals(e.get("kind"))).as("setup, baseline, two test runs").hasSize(4);
        long spent = ledger.stream().mapToLong(e -> (Long) e.get("amount_micros")).sum();
        assertThat(query("select spent_micros, reserved_micros from spend_totals where scope = 'job' and key = ?",
                job.get("id").toString())).singleElement().satisfies(t -> {
                    assertThat(t.get("spent_micros")).isEqualTo(spent);
                    assertThat(t.get("reserved_micros")).isEqualTo(0L);
                });
        assertThat((String) pulls.get(0).get("body")).contains("Spent: **" + dev.patchwright.inference.money.Money.ofMicros(spent)
                + "** of this issue's $5.00 budget; this repository has ");
        assertThat(model.authorizations()).allMatch(h -> h.equals("Bearer " + EndToEndResources.MODEL_API_KEY));

        // The prompt: the packed repository first, the issue last, the same prefix for both rounds,
        // and the second round told why the first failed.
        List<com.fasterxml.jackson.databind.JsonNode> prompts = model.requests();
        assertThat(prompts).hasSize(2);
        String repository = prompts.get(0).at("/messages/1/content").asText();
        assertThat(repository.indexOf("<file path=\"calc.py\">")).isPositive()
                .isLessThan(repository.indexOf("<issue>"));
        assertThat(repository).endsWith("</issue>\n").contains("`add(2, 3)` returns -1 instead of 5.")
                .doesNotContain("ghs_");
        assertThat(prompts.get(1).at("/messages/0")).isEqualTo(prompts.get(0).at("/messages/0"));
        assertThat(prompts.get(1).at("/messages/1")).isEqualTo(prompts.get(0).at("/messages/1"));
        assertThat(prompts.get(1).at("/messages/2/content").asText()).contains("test_add", "return a * b");
    }

    @Test
    @Order(16)
    void theBudgetApiRefusesABadTokenAndBadValuesAndChangesNothing() throws Exception {
        String url = "/api/repos/acme/ledgered/budget";
        given().get(url).then().statusCode(401).header("WWW-Authenticate", "Bearer realm=\"patchwright\"");
        given().header("Authorization", "Bearer not-the-token").get(url).then().statusCode(403);
        given().header("Authorization", "Bearer not-the-token").contentType("application/json")
                .body("{\"monthly\": \"1\"}").put(url).then().statusCode(403);

        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"monthly\": -5}", "monthly must not be negative, got -5");
        refused.put("{\"monthly\": \"lots\"}", "monthly: 'lots' is not an amount of dollars");
        refused.put("{\"per_issue\": \"0.0000001\"}", "per_issue: amount $0.0000001 is finer than a micro-dollar");
        refused.put("{\"currency\": \"EUR\", \"monthly\": 5}", "currency: only USD is supported, got 'EUR'");
        refused.put("{\"per_issue\": \"501\"}", "per_issue must be at most $500.00 (the operator's maximum), got $501.00");
        refused.put("{\"per_issue_time\": \"forever\"}", "per_issue_time must be a duration such as \"30m\"");
        refused.put("{\"per_issue_time\": \"48h\"}", "per_issue_time must be between 1m and 24h, got 48h");
        refused.put("{\"monthly\": 5, \"montly\": 5}", "unknown field 'montly'");
        refused.put("[1, 2]", "the body must be a JSON object");
        refused.put("{\"monthly\": ", "the body is not valid JSON");
        refused.forEach((body, error) -> assertThat(admin().body(body).put(url).then().statusCode(400)
                .extract().jsonPath().getString("error")).as(body).contains(error));

        Response unchanged = admin().get(url);
        assertThat(unchanged.statusCode()).isEqualTo(200);
        assertThat(unchanged.jsonPath().getString("monthly")).isEqualTo("50.00");
        assertThat(unchanged.jsonPath().getMap("source")).containsEntry("monthly", "default").containsEntry("per_issue", "default");
        assertThat(count("budget_changes where key = 'acme/ledgered'")).isZero();

        Response set = admin().header("X-Patchwright-Actor", "ops@example.com")
                .body("{\"monthly\": \"20\", \"per_issue\": 2.5, \"per_issue_time\": \"30m\"}").put(url);
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(admin().get(url).jsonPath().getMap("")).containsEntry("monthly", "20.00")
                .containsEntry("per_issue", "2.50").containsEntry("per_issue_time", "30m")
                .containsEntry("spent_this_month", "0.00").containsEntry("left_this_month", "20.00")
                .containsEntry("updated_by", "admin API (ops@example.com)");
        assertThat(query("select changed_by, after::text as after from budget_changes where key = 'acme/ledgered'"))
                .singleElement().satisfies(row -> assertThat((String) row.get("after")).contains("20000000"));
    }

    @Test
    @Order(17)
    void aRepositoryWhoseBudgetCannotPayForOneCandidateIsToldTheNumbersAndTheModelIsNeverCalled() throws Exception {
        admin().body("{\"monthly\": \"0.01\"}").put("/api/repos/acme/poor/budget").then().statusCode(200);
        repo("acme", "poor", Map.of("calc.py", CALC_BUGGY, "test_calc.py", TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest\ntest-timeout: 60s\n"), "Calculator");
        issue("acme", "poor", 1, "add() subtracts", "`add(2, 3)` returns -1.", "maintainer");
        github.setPermission("acme", "poor", "maintainer", "write");
        int calls = model.requests().size();

        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "poor", 1, "patchwright", "maintainer"))
                .then().statusCode(202);
        Map<String, Object> job = awaitJob("acme/poor", 1);

        assertThat(job.get("status")).isEqualTo("failed");
        assertThat(model.requests()).as("no model call").hasSize(calls);
        assertThat(github.comments("acme", "poor", 1)).singleElement().satisfies(c -> assertThat((String) c.get("body"))
                .contains("the remaining budget cannot pay for one candidate: at its worst one costs $0.0")
                .containsPattern("and only \\$0\\.00\\d* is left")
                .contains("for this repository this month").contains("of $0.01"));
        assertThat(github.pullRequests("acme", "poor")).isEmpty();
        assertThat(ledger((Long) job.get("id"))).extracting(e -> e.get("kind")).containsOnly("sandbox");

        // Prometheus sees each repository's month: spend, holds and the limit (refreshed every 15 s). A refresh
        // taken while the job still held its sandbox reservation shows that hold: wait for one taken after it.
        long deadline = System.currentTimeMillis() + 45_000;
        String metrics = "";
        while (System.currentTimeMillis() < deadline
                && !metrics.contains("patchwright_spend_held_dollars{repository=\"acme/poor\"} 0.0")) {
            Thread.sleep(500);
            metrics = given().port(EndToEndResources.managementPort).get("/q/metrics").asString();
        }
        assertThat(metrics).containsPattern("patchwright_spend_month_dollars\\{repository=\"acme/calc\"} 0\\.\\d*[1-9]")
                .contains("patchwright_budget_month_limit_dollars{repository=\"acme/poor\"} 0.01")
                .contains("patchwright_spend_held_dollars{repository=\"acme/poor\"} 0.0");
    }

    @Test
    @Order(18)
    void anIssueWithATitleTooLongForAPullRequestStillGetsOne() throws Exception {
        // 250 characters: GitHub takes issue titles up to 256, so with "Fix #2: " in front it is too long for a PR.
        String title = ("add() subtracts " + "when it is given two numbers and should add them instead ".repeat(5))
                .substring(0, 250);
        repo("acme", "longtitle", Map.of("calc.py", CALC_BUGGY, "test_calc.py", TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\n"), "Calculator");
        issue("acme", "longtitle", 2, title, "`add(2, 3)` returns -1.", "maintainer");
        github.setPermission("acme", "longtitle", "maintainer", "write");
        model.enqueue(RIGHT_ANSWER);

        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "longtitle", 2, "patchwright", "maintainer"))
                .then().statusCode(202);
        Map<String, Object> job = awaitJob("acme/longtitle", 2);

        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        assertThat(github.pullRequests("acme", "longtitle")).singleElement().satisfies(pull -> {
            String prTitle = (String) pull.get("title");
            assertThat(prTitle).startsWith("Fix #2: add() subtracts when").endsWith("…");
            assertThat(prTitle.codePointCount(0, prTitle.length())).isEqualTo(256);
        });
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + EndToEndResources.ADMIN_TOKEN).contentType("application/json");
    }

    @Test
    @Order(4)
    void anUnknownEventIsStoredAndIgnored() throws Exception {
        String delivery = UUID.randomUUID().toString();
        assertThat(deliver("star", delivery, "{\"action\":\"created\",\"starred_at\":null}".getBytes()).statusCode())
                .isEqualTo(202);
        assertThat(awaitDelivery(delivery)).containsEntry("status", "ignored");
        assertThat((String) awaitDelivery(delivery).get("outcome")).contains("no handler for star.created");
    }

    @Test
    @Order(5)
    void aLabelThatIsNotTheTriggerDoesNothing() throws Exception {
        issue("acme", "calc", 20, "Docs typo", "Typo in the README.", "maintainer");
        String delivery = UUID.randomUUID().toString();
        deliver("issues", delivery, labeled("acme", "calc", 20, "documentation", "maintainer"));
        assertThat(awaitDelivery(delivery)).containsEntry("status", "ignored");
        assertThat(github.comments("acme", "calc", 20)).isEmpty();
        assertThat(count("jobs where issue_number = 20")).isZero();
    }

    @Test
    @Order(6)
    void aLabelerWithoutWriteAccessIsToldAndNothingRuns() throws Exception {
        issue("acme", "calc", 21, "Please fix", "Something is off.", "drive-by");
        github.setPermission("acme", "calc", "drive-by", "read");
        String delivery = UUID.randomUUID().toString();
        deliver("issues", delivery, labeled("acme", "calc", 21, "patchwright", "drive-by"));
        awaitDelivery(delivery);
        assertThat(count("jobs where issue_number = 21")).isZero();
        assertThat(github.comments("acme", "calc", 21)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("@drive-by").contains("write access"));
    }

    @Test
    @Order(7)
    void aMissingConfigurationIsExplainedOnTheIssue() throws Exception {
        repo("acme", "noconfig", Map.of("app.py", "print('hi')\n"), "No config");
        issue("acme", "noconfig", 1, "Bug", "It breaks.", "maintainer");
        github.setPermission("acme", "noconfig", "maintainer", "admin");
        String delivery = UUID.randomUUID().toString();
        deliver("issues", delivery, labeled("acme", "noconfig", 1, "patchwright", "maintainer"));
        awaitDelivery(delivery);
        // Without the file the build is detected; a repository with none of the usual builds is told what to write.
        Map<String, Object> job = awaitJob("acme/noconfig", 1);
        assertThat(job.get("status")).isEqualTo("failed");
        assertThat(candidates((Long) job.get("id"))).isEmpty();
        assertThat(github.comments("acme", "noconfig", 1)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("recognised no build")
                        .contains(".github/patchwright.yml").contains("test:"));
    }

    @Test
    @Order(8)
    void anInvalidConfigurationIsExplainedOnTheIssue() throws Exception {
        repo("acme", "badconfig", Map.of(".github/patchwright.yml", "tset: make test\n"),
                "Typo in config");
        issue("acme", "badconfig", 1, "Bug", "It breaks.", "maintainer");
        github.setPermission("acme", "badconfig", "maintainer", "write");
        String delivery = UUID.randomUUID().toString();
        deliver("issues", delivery, labeled("acme", "badconfig", 1, "patchwright", "maintainer"));
        awaitDelivery(delivery);
        assertThat(count("jobs where repository = 'acme/badconfig'")).isZero();
        assertThat(github.comments("acme", "badconfig", 1)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("tset").contains("test"));
    }

    @Test
    @Order(9)
    void garbageFromTheModelIsReportedAndNoPullRequestIsOpened() throws Exception {
        repo("acme", "garbage", Map.of("calc.py", CALC_BUGGY, "test_calc.py", TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 2\nrounds: 1\n"), "Bug");
        issue("acme", "garbage", 3, "add() subtracts", "Fix add.", "maintainer");
        github.setPermission("acme", "garbage", "maintainer", "write");
        model.enqueue("I think you should rewrite it in Rust.");
        model.enqueue("<<<<<<< SEARCH\nreturn a - b\n");
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "garbage", 3, "patchwright", "maintainer"));

        Map<String, Object> job = awaitJob("acme/garbage", 3);
        assertThat(job.get("status")).isEqualTo("failed");
        assertThat(github.pullRequests("acme", "garbage")).isEmpty();
        List<Map<String, Object>> candidates = candidates((Long) job.get("id"));
        assertThat(candidates).hasSize(2).allSatisfy(c -> {
            assertThat(c.get("status")).isEqualTo("rejected");
            assertThat((String) c.get("reason")).contains("no usable edits");
        });
        assertThat(github.comments("acme", "garbage", 3)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("could not produce a verified fix")
                        .contains("no usable edits").contains("No pull request was opened"));
    }

    @Test
    @Order(10)
    void aTestCommandThatHangsIsKilledAtItsLimitAndReported() throws Exception {
        repo("acme", "hang", Map.of("app.py", "x = 1\n",
                ".github/patchwright.yml", "test: python3 -c 'import app, time; time.sleep(600 if app.x == 2 else 0); "
                        + "raise SystemExit(1)'\ntest-timeout: 3s\ncandidates: 1\nrounds: 1\n"),
                "Tests that hang once x is 2");
        issue("acme", "hang", 4, "x should be 2", "Set x to 2.", "maintainer");
        github.setPermission("acme", "hang", "maintainer", "write");
        model.enqueue("app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "hang", 4, "patchwright", "maintainer"));

        Map<String, Object> job = awaitJob("acme/hang", 4);
        assertThat(job.get("status")).isEqualTo("failed");
        List<Map<String, Object>> candidates = candidates((Long) job.get("id"));
        assertThat(candidates).singleElement().satisfies(c -> {
            assertThat(c.get("status")).isEqualTo("rejected");
            assertThat((String) c.get("reason")).contains("3 s time limit");
            assertThat((Long) c.get("elapsed_ms")).isLessThan(60_000);
        });
        assertThat(github.comments("acme", "hang", 4)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("time limit"));
    }

    @Test
    @Order(11)
    void aRateLimitedGitHubCallFailsFastAndTheDeliveryIsRetriedLater() throws Exception {
        issue("acme", "calc", 22, "Rate limited", "Nothing to do.", "maintainer");
        github.exhaustRateLimit(1);
        String delivery = UUID.randomUUID().toString();
        long start = System.currentTimeMillis();
        assertThat(deliver("issues", delivery, labeled("acme", "calc", 22, "documentation", "maintainer"))
                .statusCode()).isEqualTo(202);
        Map<String, Object> row = null;
        while (System.currentTimeMillis() - start < 20_000) {
            List<Map<String, Object>> rows = query("select * from webhook_deliveries where delivery_id = ?"
                    + " and status = 'received' and attempts = 1", delivery);
            if (!rows.isEmpty()) {
                row = rows.get(0);
                break;
            }
            Thread.sleep(100);
        }
        assertThat(row).as("the delivery went back to the inbox at once instead of a thread sleeping an hour")
                .isNotNull();
        assertThat(((String) row.get("outcome")).toLowerCase()).contains("rate limit");
        assertThat(((java.sql.Timestamp) row.get("next_attempt_at")).toInstant())
                .isAfter(java.time.Instant.now().plusSeconds(10));
    }

    @Test
    @Order(12)
    void aDeliveryStoredButNeverHandledIsPickedUpAfterACrash() throws Exception {
        // What a crash right after answering GitHub leaves behind: the stored row, nothing else.
        issue("acme", "calc", 23, "Left behind", "Stored, then the node died.", "maintainer");
        String delivery = UUID.randomUUID().toString();
        try (Connection connection = EndToEndResources.postgres.getPostgresDatabase().getConnection();
             PreparedStatement insert = connection.prepareStatement("insert into webhook_deliveries"
                     + " (delivery_id, event, action, installation_id, repository, payload)"
                     + " values (?, 'issues', 'labeled', ?, 'acme/calc', ?::jsonb)")) {
            insert.setString(1, delivery);
            insert.setLong(2, github.installationId());
            insert.setString(3, new String(labeled("acme", "calc", 23, "documentation", "maintainer"),
                    StandardCharsets.UTF_8));
            insert.executeUpdate();
        }
        assertThat(awaitDelivery(delivery)).containsEntry("status", "ignored");
        assertThat((String) awaitDelivery(delivery).get("outcome")).contains("not the trigger label");
    }

    @Test
    @Order(13)
    void theDeliverySweepIsScheduledInQuartzsClusteredStore() throws Exception {
        assertThat(query("select trigger_name from qrtz_triggers")).extracting(row -> row.get("trigger_name"))
                .anySatisfy(name -> assertThat((String) name).contains("delivery-sweep"));
        assertThat(count("qrtz_scheduler_state")).isPositive();
    }

    @Test
    @Order(14)
    void removingTheTriggerLabelStopsARunningJobBeforeItSpendsMore() throws Exception {
        repo("acme", "slow", Map.of("app.py", "x = 1\n",
                ".github/patchwright.yml", "test: python3 -c 'import time; time.sleep(4)'; false\ncandidates: 2\n"),
                "Slow tests");
        issue("acme", "slow", 5, "x should be 2", "Set x to 2.", "maintainer");
        github.setPermission("acme", "slow", "maintainer", "write");
        int scripted = model.remaining();
        model.enqueue("app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "slow", 5, "patchwright", "maintainer"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (count("jobs where repository = 'acme/slow' and status = 'running'") == 0) {
            assertThat(System.currentTimeMillis()).as("the job started").isLessThan(deadline);
            Thread.sleep(100);
        }

        String delivery = UUID.randomUUID().toString();
        deliver("issues", delivery, issueEvent("unlabeled", "acme", "slow", 5, "patchwright", "maintainer"));
        assertThat(awaitDelivery(delivery)).containsEntry("status", "handled");

        Map<String, Object> job = awaitJob("acme/slow", 5);
        assertThat(job.get("status")).isEqualTo("cancelled");
        assertThat(candidates((Long) job.get("id"))).isEmpty();
        assertThat(model.remaining()).as("the model was never called").isEqualTo(scripted + 1);
        assertThat(github.pullRequests("acme", "slow")).isEmpty();
        assertThat(github.comments("acme", "slow", 5)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("stopped working on this issue"));
    }

    @Test
    @Order(15)
    void aPersonsCommitOnTheBotsBranchIsNeverOverwritten() throws Exception {
        long previous = (Long) awaitJob("acme/calc", 7).get("id");
        String maintainers = github.commitFiles("acme", "calc", "patchwright/issue-7",
                Map.of("NOTES.md", "What I found while reviewing.\n"), "Maintainer's notes on the fix");
        model.enqueue(RIGHT_ANSWER);
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "calc", 7, "patchwright", "maintainer"));

        Map<String, Object> job = awaitJob("acme/calc", 7, previous);
        assertThat(job.get("status")).isEqualTo("failed");
        assertThat((String) job.get("reason")).contains("not overwritten");
        assertThat(head("acme", "calc", "patchwright/issue-7").name()).isEqualTo(maintainers);
        assertThat(github.pullRequests("acme", "calc")).hasSize(1);
        assertThat(github.comments("acme", "calc", 7)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("did not write").contains("not overwritten"));
    }

    @Test
    @Order(19)
    void aRoundIsOneRequestForAllItsSamplesAndIdenticalPatchesVote() throws Exception {
        repo("acme", "votes", Map.of("calc.py", CALC_BUGGY, "test_calc.py", TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 3\nrounds: 1\n"), "Calculator");
        issue("acme", "votes", 1, "add() subtracts", "`add(2, 3)` returns -1.", "maintainer");
        github.setPermission("acme", "votes", "maintainer", "write");
        int before = model.requests().size();
        model.enqueue(WRONG_ANSWER);
        model.enqueue(RIGHT_ANSWER);
        model.enqueue(RIGHT_ANSWER);
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "votes", 1, "patchwright", "maintainer"));

        Map<String, Object> job = awaitJob("acme/votes", 1);
        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        assertThat(model.requests()).hasSize(before + 1);
        assertThat(model.requests().get(before).path("n").asInt()).isEqualTo(3);
        assertThat(candidates((Long) job.get("id"))).extracting(c -> (String) c.get("reason")).satisfiesExactly(
                wrong -> assertThat(wrong).contains("test_add_zero"),
                right -> assertThat(right).contains("test_calc.CalcTest.test_add fails on the base commit"),
                same -> assertThat(same).startsWith("the same patch as candidate 2: counted as a vote"));
        String head = head("acme", "votes", "patchwright/issue-1").name();
        assertThat(github.checkRuns("acme", "votes", head)).singleElement().satisfies(run -> assertThat(
                run.get("output").toString()).contains("Candidate 2 won with 2 votes"));
        assertThat(github.pullRequests("acme", "votes")).singleElement()
                .satisfies(pull -> assertThat(pull.get("draft")).isEqualTo(false));
    }

    @Test
    @Order(19)
    void aBaseCommitWhoseTestsCannotRunCostsNoModelMoney() throws Exception {
        repo("acme", "broken", Map.of("calc.py", CALC_BUGGY, "test_calc.py", "import calc, numpy_that_is_missing\n",
                ".github/patchwright.yml", "test: python3 -m unittest\n"), "Calculator");
        issue("acme", "broken", 1, "add() subtracts", "`add(2, 3)` returns -1.", "maintainer");
        github.setPermission("acme", "broken", "maintainer", "write");
        int before = model.requests().size();
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "broken", 1, "patchwright", "maintainer"));

        Map<String, Object> job = awaitJob("acme/broken", 1);
        assertThat(job.get("status")).isEqualTo("failed");
        assertThat(model.requests()).as("no model call").hasSize(before);
        assertThat(ledger((Long) job.get("id"))).extracting(e -> e.get("kind")).containsOnly("sandbox");
        assertThat(github.comments("acme", "broken", 1)).singleElement().satisfies(c -> assertThat((String) c.get("body"))
                .contains("could not build or run the tests").contains("unittest could not import a test module")
                .contains("No model was called"));
    }

    @Test
    @Order(19)
    void aPatchThatOnlyPassesTheTestsIsOfferedAsADraftWhereTheRepositoryAcceptsThat() throws Exception {
        repo("acme", "lenient", Map.of("calc.py", CALC_BUGGY, "test_calc.py",
                        "import unittest\nclass T(unittest.TestCase):\n    def test_imports(self):\n        import calc\n",
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\naccept: tests-pass\n"),
                "Calculator without tests");
        issue("acme", "lenient", 1, "add() subtracts", "`add(2, 3)` returns -1.", "maintainer");
        github.setPermission("acme", "lenient", "maintainer", "write");
        model.enqueue(RIGHT_ANSWER);
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "lenient", 1, "patchwright", "maintainer"));

        Map<String, Object> job = awaitJob("acme/lenient", 1);
        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        assertThat(github.pullRequests("acme", "lenient")).singleElement().satisfies(pull -> {
            assertThat(pull.get("draft")).isEqualTo(true);
            assertThat((String) pull.get("body")).contains("no test went from failing to passing");
        });
        String head = head("acme", "lenient", "patchwright/issue-1").name();
        assertThat(github.checkRuns("acme", "lenient", head)).singleElement()
                .satisfies(run -> assertThat(run).containsEntry("conclusion", "neutral"));
        assertThat(github.comments("acme", "lenient", 1)).singleElement().satisfies(c -> assertThat((String) c.get("body"))
                .contains("as a draft, since no test shows the issue fixed"));
    }

    @Test
    @Order(20)
    void everyGitHubCallExistsInGitHubsPublishedApiAndNoSecretLeaked() throws Exception {
        Path log = Path.of("target", "github-requests.jsonl");
        assertThat(github.requests()).isNotEmpty();
        assertThat(GitHubRestAudit.load().check(log)).isEmpty();
        Path appLog = Path.of("target", "quarkus.log");
        assertThat(appLog).as("the bot's log, written by @QuarkusIntegrationTest").exists();
        String text = Files.readString(appLog);
        assertThat(text).contains("Recorded delivery")
                .doesNotContain(EndToEndResources.MODEL_API_KEY)
                .doesNotContain(WEBHOOK_SECRET)
                .doesNotContain(EndToEndResources.ADMIN_TOKEN)
                .doesNotContain("ghs_")
                .doesNotContain("PRIVATE KEY");
    }

    // --- helpers -------------------------------------------------------------------------------

    static byte[] labeled(String owner, String repo, int issue, String label, String sender) throws IOException {
        return issueEvent("labeled", owner, repo, issue, label, sender);
    }

    private static byte[] issueEvent(String action, String owner, String repo, int issue, String label, String sender)
            throws IOException {
        String[] stored = ISSUES.getOrDefault(owner + "/" + repo + "#" + issue, new String[] {"An issue", "Text."});
        return IssuePayloads.issueEvent(github, action, owner, repo, issue, stored[0], stored[1], label, sender);
    }

    static Response deliver(String event, String delivery, byte[] body) {
        return given().header("X-GitHub-Event", event).header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", GitHubStandIn.signature(WEBHOOK_SECRET, body))
                .contentType("application/json").body(body).post("/webhook");
    }

    static Map<String, Object> awaitJob(String repository, int issue) throws Exception {
        return awaitJob(repository, issue, 0);
    }

    /** The first finished job for the issue whose id is above {@code after}. */
    static Map<String, Object> awaitJob(String repository, int issue, long after) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            List<Map<String, Object>> rows = query("select * from jobs where repository = ? and issue_number = ?"
                    + " and id > ? and status in ('succeeded', 'failed', 'cancelled') order by id", repository, issue, after);
            if (!rows.isEmpty()) {
                return rows.get(0);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("job for " + repository + "#" + issue + " did not finish in 120 s: "
                + query("select * from jobs where repository = ?", repository)
                + " events: " + query("select kind, message from job_events order by id"));
    }

    static Map<String, Object> awaitDelivery(String delivery) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            List<Map<String, Object>> rows = query("select * from webhook_deliveries where delivery_id = ?"
                    + " and status not in ('received', 'processing')", delivery);
            if (!rows.isEmpty()) {
                return rows.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("delivery " + delivery + " was not handled: "
                + query("select * from webhook_deliveries where delivery_id = ?", delivery));
    }

    static List<Map<String, Object>> ledger(long jobId) throws SQLException {
        return query("select * from spend_ledger where job_id = ? order by id", jobId);
    }

    static List<Map<String, Object>> candidates(long jobId) throws SQLException {
        return query("select * from candidates where job_id = ? order by ordinal", jobId);
    }

    static long count(String tableAndWhere) throws SQLException {
        return (Long) query("select count(*) as n from " + tableAndWhere).get(0).get("n");
    }

    static List<Map<String, Object>> query(String sql, Object... args) throws SQLException {
        return Rows.query(EndToEndResources.postgres.getPostgresDatabase(), sql, args);
    }

    private static ObjectId head(String owner, String repo, String branch) throws IOException {
        try (Git git = Git.open(REPOS.get(owner + "/" + repo).toFile())) {
            ObjectId id = git.getRepository().resolve("refs/heads/" + branch);
            assertThat(id).as("branch %s exists on the git server", branch).isNotNull();
            return id;
        }
    }

    private static ObjectId parentOf(String owner, String repo, ObjectId commit) throws IOException {
        try (Repository repository = Git.open(REPOS.get(owner + "/" + repo).toFile()).getRepository();
             RevWalk walk = new RevWalk(repository)) {
            RevCommit c = walk.parseCommit(commit);
            assertThat(c.getParentCount()).isEqualTo(1);
            return c.getParent(0).getId();
        }
    }

    private static List<String> changedPaths(String owner, String repo, ObjectId from, ObjectId to) throws Exception {
        try (Git git = Git.open(REPOS.get(owner + "/" + repo).toFile()); RevWalk walk = new RevWalk(git.getRepository())) {
            CanonicalTreeParser a = new CanonicalTreeParser();
            CanonicalTreeParser b = new CanonicalTreeParser();
            try (var reader = git.getRepository().newObjectReader()) {
                a.reset(reader, walk.parseCommit(from).getTree());
                b.reset(reader, walk.parseCommit(to).getTree());
            }
            return git.diff().setOldTree(a).setNewTree(b).call().stream().map(DiffEntry::getNewPath).toList();
        }
    }

    private static String fileAt(String owner, String repo, ObjectId commit, String path) throws IOException {
        try (Repository repository = Git.open(REPOS.get(owner + "/" + repo).toFile()).getRepository();
             RevWalk walk = new RevWalk(repository);
             TreeWalk tree = TreeWalk.forPath(repository, path, walk.parseCommit(commit).getTree())) {
            return new String(repository.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
        }
    }
}
