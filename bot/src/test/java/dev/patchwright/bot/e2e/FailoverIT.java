package dev.patchwright.bot.e2e;

import dev.patchwright.bot.standin.GitHubStandIn;
import dev.patchwright.bot.standin.Hold;
import dev.patchwright.bot.standin.ScriptedModelServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.patchwright.bot.e2e.EndToEndIT.CALC_BUGGY;
import static dev.patchwright.bot.e2e.EndToEndIT.CALC_FIXED;
import static dev.patchwright.bot.e2e.EndToEndIT.RIGHT_ANSWER;
import static dev.patchwright.bot.e2e.EndToEndIT.TESTS;
import static dev.patchwright.bot.e2e.EndToEndIT.WRONG_ANSWER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes of the built bot, each its own JVM, against one PostgreSQL (embedded binaries), the GitHub stand-in and
 * the scripted model: a webhook node and two workers. A node is killed with SIGKILL in the middle of its work, the way
 * a machine dies, and another node finishes that work exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverIT {

    private static final String WEBHOOK_SECRET = "failover-webhook-secret-3b8e";
    private static final String MODEL_API_KEY = "sk-failover-model-key-62d0";
    /** Short, so that a take-over fits a test; the heartbeat comes every third of it. */
    private static final Duration LEASE = Duration.ofSeconds(6);

    private static EmbeddedPostgres postgres;
    private static GitHubStandIn github;
    private static ScriptedModelServer model;
    private static BotNode webhook;
    private static final List<BotNode> workers = new ArrayList<>();
    /** The settings every node shares. */
    private static Map<String, String> cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        github = new GitHubStandIn(Path.of("target", "failover-github-requests.jsonl"));
        model = new ScriptedModelServer(MODEL_API_KEY);
        cluster = new HashMap<>();
        cluster.put("PATCHWRIGHT_DB_URL", postgres.getJdbcUrl("postgres", "postgres"));
        cluster.put("PATCHWRIGHT_DB_USER", "postgres");
        cluster.put("PATCHWRIGHT_MODEL_URL", model.baseUrl());
        cluster.put("PATCHWRIGHT_MODEL_NAME", ScriptedModelServer.MODEL);
        cluster.put("PATCHWRIGHT_MODEL_API_KEY", MODEL_API_KEY);
        cluster.put("PATCHWRIGHT_MODEL_PRICE", "input=2.00,cached-input=0.50,output=8.00");
        cluster.put("PATCHWRIGHT_WORKER_LEASE", LEASE.toSeconds() + "s");
        cluster.put("PATCHWRIGHT_WORKER_POLL", "200ms");
        cluster.put("PATCHWRIGHT_WORKER_REAP_EVERY", "1s");
        cluster.put("PATCHWRIGHT_WORKER_REAP_BACKOFF", "1s");
        cluster.put("PATCHWRIGHT_DELIVERY_SWEEP", "1s");
        cluster.put("PATCHWRIGHT_SOLVE_MEMORY_MIB", "1024");
        cluster.put("QUARKUS_GITHUB_APP_APP_ID", String.valueOf(github.appId()));
        cluster.put("QUARKUS_GITHUB_APP_INSTANCE_ENDPOINT", github.apiUrl());
        cluster.put("QUARKUS_GITHUB_APP_PRIVATE_KEY", github.privateKeyPem());
        cluster.put("QUARKUS_GITHUB_APP_WEBHOOK_SECRET", WEBHOOK_SECRET);
        webhook = BotNode.start("failover-webhook", "webhook", cluster);
        workers.add(BotNode.start("failover-worker-a", "worker", cluster));
        workers.add(BotNode.start("failover-worker-b", "worker", cluster));
        webhook.awaitReady(Duration.ofMinutes(3));
        for (BotNode worker : workers) {
            worker.awaitReady(Duration.ofMinutes(3));
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (BotNode node : workers) {
            node.close();
        }
        if (webhook != null) {
            webhook.close();
        }
        if (model != null) {
            model.close();
        }
        if (github != null) {
            github.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void aDeliveryLeftProcessingByAKilledWebhookNodeIsHandledByAnotherNode() throws Exception {
        github.createRepo("acme", "notes", "main");
        github.commitFiles("acme", "notes", "main", Map.of("notes.txt", "nothing to build here\n"), "Notes");
        github.addIssue("acme", "notes", 3, "Typo", "A typo in the notes.", "maintainer");
        github.setPermission("acme", "notes", "maintainer", "write");
        // The webhook node stores the delivery, answers, and starts handling it: it asks GitHub who labeled the issue.
        Hold permission = github.holdNext("GET", "/repos/acme/notes/collaborators/maintainer/permission");
        String delivery = UUID.randomUUID().toString();
        byte[] body = IssuePayloads.issueEvent(github, "labeled", "acme", "notes", 3, "Typo", "A typo in the notes.",
                "patchwright", "maintainer");
        assertThat(deliver(webhook, delivery, body).statusCode()).isEqualTo(202);
        permission.awaitHeld(Duration.ofSeconds(60));
        assertThat(query("select status from webhook_deliveries where delivery_id = ?", delivery))
                .singleElement().satisfies(row -> assertThat(row.get("status")).isEqualTo("processing"));

        webhook.kill();
        permission.release();

        Map<String, Object> handled = awaitDelivery(delivery, Duration.ofSeconds(60));
        assertThat(handled.get("status")).as("delivery %s", handled).isEqualTo("handled");
        assertThat((String) handled.get("outcome")).matches("job \\d+ queued for acme/notes#3");
        assertThat(handled.get("attempts")).as("claimed by the killed node, then by another").isEqualTo(2);
        assertThat(query("select id from jobs where delivery_id = ?", delivery)).hasSize(1);
        assertThat(query("select id from jobs where repository = 'acme/notes'")).hasSize(1);
        long takers = 0;
        for (BotNode worker : workers) {
            takers += worker.logText().contains("Delivery " + delivery + " (issues): job") ? 1 : 0;
        }
        assertThat(takers).as("surviving nodes that handled the delivery").isEqualTo(1);
    }

    @Test
    @Order(2)
    void aJobWhoseWorkerIsKilledMidCallIsResumedByTheOtherWorkerAndPaidOnce() throws Exception {
        github.createRepo("acme", "calc", "main");
        github.commitFiles("acme", "calc", "main", Map.of("calc.py", CALC_BUGGY, "test_calc.py", TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest -v\ntest-timeout: 60s\ncandidates: 1\n"
                        + "rounds: 3\n"), "Calculator with a bug");
        github.addIssue("acme", "calc", 7, "add() subtracts", "`add(2, 3)` returns -1 instead of 5.", "maintainer");
        github.setPermission("acme", "calc", "maintainer", "write");
        model.enqueue(WRONG_ANSWER);
        Hold secondCall = model.enqueueHold(); // round 2's call, after the wrong candidate was tested and paid
        model.enqueue(RIGHT_ANSWER);
        byte[] body = IssuePayloads.issueEvent(github, "labeled", "acme", "calc", 7, "add() subtracts",
                "`add(2, 3)` returns -1 instead of 5.", "patchwright", "maintainer");
        assertThat(deliver(workers.get(0), UUID.randomUUID().toString(), body).statusCode()).isEqualTo(202);
        secondCall.awaitHeld(Duration.ofSeconds(120));

        Map<String, Object> running = single("select id, lease_owner from jobs where repository = 'acme/calc'");
        long job = (Long) running.get("id");
        BotNode victim = workers.get(0).workerId().equals(running.get("lease_owner")) ? workers.get(0) : workers.get(1);
        BotNode survivor = victim == workers.get(0) ? workers.get(1) : workers.get(0);
        assertThat(victim.workerId()).isEqualTo(running.get("lease_owner"));
        Instant killedAt = ((Timestamp) single("select now() as at").get("at")).toInstant();
        victim.kill();
        secondCall.release();

        Map<String, Object> finished = awaitJob(job, Duration.ofSeconds(120));
        assertThat(finished.get("status")).as("job %s; events %s", finished, events(job)).isEqualTo("succeeded");
        // The hand-over: claimed by the victim, its lease expired, claimed by the survivor within two lease periods.
        List<Map<String, Object>> claims = query("select at, message from job_events where job_id = ?"
                + " and kind in ('claimed', 'lease-expired') order by id", job);
        assertThat(claims).extracting(row -> (String) row.get("message")).as("events %s", events(job)).satisfiesExactly(
                first -> assertThat(first).contains("attempt 1 of 3 claimed by " + victim.workerId()),
                expired -> assertThat(expired).contains("the lease of worker " + victim.workerId() + " expired"),
                second -> assertThat(second).contains("attempt 2 of 3 claimed by " + survivor.workerId()));
        Duration takeOver = Duration.between(killedAt, ((Timestamp) claims.get(2).get("at")).toInstant());
        assertThat(takeOver).as("from the kill to the other worker's claim").isLessThanOrEqualTo(LEASE.multipliedBy(2));
        assertThat(events(job)).contains("1 candidate(s) recorded by earlier attempts are not generated again");

        // Exactly one pull request, with the right patch.
        assertThat(github.pullRequests("acme", "calc")).singleElement()
                .satisfies(pull -> assertThat(pull.get("html_url")).isEqualTo(finished.get("result_url")));
        assertThat(github.readFile("acme", "calc", "patchwright/issue-7", "calc.py")).contains(CALC_FIXED);

        // Paid once: the wrong answer on the first attempt, the right one on the second; the call cut by the kill was
        // released, not charged, and the candidate already paid for was not generated again.
        assertThat(model.requests()).hasSize(3);
        assertThat(model.requests().get(2).at("/messages/2/content").asText()).contains("return a * b");
        assertThat(query("select status from candidates where job_id = ? order by ordinal", job))
                .extracting(row -> row.get("status")).containsExactly("rejected", "passed");
        List<Map<String, Object>> ledger = query("select kind, amount_micros from spend_ledger where job_id = ?", job);
        assertThat(ledger).filteredOn(e -> "model".equals(e.get("kind"))).hasSize(2);
        assertThat(ledger).filteredOn(e -> "sandbox".equals(e.get("kind")))
                .as("the baseline on each worker, one test run per candidate").hasSize(4);
        assertThat(query("select status, count(*) as n from spend_reservations where job_id = ? and kind = 'model'"
                + " group by status order by status", job)).extracting(row -> row.get("status") + " " + row.get("n"))
                .containsExactly("released 1", "settled 2");
        long spent = ledger.stream().mapToLong(e -> (Long) e.get("amount_micros")).sum();
        assertThat(single("select spent_micros, reserved_micros from spend_totals where scope = 'job' and key = ?",
                String.valueOf(job))).containsEntry("spent_micros", spent).containsEntry("reserved_micros", 0L);
    }

    @Test
    @Order(3)
    void lineCommentsGatheredByANodeKilledInsideTheWindowStillBecomeOneRevision() throws Exception {
        BotNode survivor = workers.stream().filter(BotNode::alive).findFirst().orElseThrow();
        Map<String, String> settings = new HashMap<>(cluster);
        settings.put("PATCHWRIGHT_TRIGGER_REVIEW_DEBOUNCE", "8s");
        BotNode receiver = BotNode.start("failover-review", "webhook", settings);
        workers.add(receiver);
        receiver.awaitReady(Duration.ofMinutes(3));
        int pull = ((Number) github.pullRequests("acme", "calc").get(0).get("number")).intValue();
        ReviewPayloads payloads = new ReviewPayloads(github, "acme", "calc", pull, "patchwright/issue-7");
        String hunk = "@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b";
        model.enqueue("""
                A docstring.

                ```
                calc.py
                <<<<<<< SEARCH
                def add(a, b):
                =======
                def add(a, b):
                    \"\"\"The sum of a and b.\"\"\"
                >>>>>>> REPLACE
                ```
                """);
        for (int i = 1; i <= 5; i++) {
            String text = "Comment " + i + ": add() needs a docstring.";
            GitHubStandIn.Review review = github.addReview("acme", "calc", pull, "maintainer",
                    List.of(new GitHubStandIn.LineComment("calc.py", 1, hunk, text)));
            String delivery = UUID.randomUUID().toString();
            assertThat(deliver(receiver, "pull_request_review_comment", delivery, payloads.comment(
                    review.commentIds().get(0), review.id(), "calc.py", hunk, text, "maintainer", "User"))
                    .statusCode()).isEqualTo(202);
            assertThat(awaitDelivery(delivery, Duration.ofSeconds(60)).get("status")).isEqualTo("handled");
        }
        assertThat(query("select trigger_name from qrtz_triggers where trigger_group = 'patchwright-review'"))
                .as("the window's timer, in the database").hasSize(1);

        receiver.kill(); // inside the window: the timer it set lives on in Quartz's store

        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Map<String, Object>> revisions = List.of();
        while (revisions.isEmpty() && System.nanoTime() < deadline) {
            revisions = query("select id, payload from jobs where kind = 'revise' and repository = 'acme/calc'");
            Thread.sleep(250);
        }
        assertThat(revisions).as("one revision from the surviving node").hasSize(1);
        String payload = revisions.get(0).get("payload").toString();
        for (int i = 1; i <= 5; i++) {
            assertThat(payload).contains("Comment " + i + ": add() needs a docstring.");
        }
        Map<String, Object> finished = awaitJob((Long) revisions.get(0).get("id"), Duration.ofSeconds(120));
        assertThat(finished.get("status")).as("job %s; events %s", finished, events((Long) finished.get("id")))
                .isEqualTo("succeeded");
        assertThat(github.readFile("acme", "calc", "patchwright/issue-7", "calc.py"))
                .hasValueSatisfying(text -> assertThat(text).contains("The sum of a and b."));
        assertThat(survivor.alive()).isTrue();
        Thread.sleep(10_000); // past another window: nothing else starts
        assertThat(query("select id from jobs where kind = 'revise' and repository = 'acme/calc'")).hasSize(1);
    }

    private static HttpResponse<String> deliver(BotNode node, String delivery, byte[] body) throws Exception {
        return deliver(node, "issues", delivery, body);
    }

    private static HttpResponse<String> deliver(BotNode node, String event, String delivery, byte[] body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + "/webhook"))
                .header("X-GitHub-Event", event).header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", GitHubStandIn.signature(WEBHOOK_SECRET, body))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> awaitDelivery(String delivery, Duration wait) throws Exception {
        return Rows.awaitRow(postgres.getPostgresDatabase(), wait, () -> "no surviving node handled delivery "
                        + delivery + " within " + wait + ": " + query("select * from webhook_deliveries"
                        + " where delivery_id = ?", delivery),
                "select * from webhook_deliveries where delivery_id = ? and status not in ('received', 'processing')",
                delivery);
    }

    private static Map<String, Object> awaitJob(long job, Duration wait) throws Exception {
        return Rows.awaitRow(postgres.getPostgresDatabase(), wait,
                () -> "job " + job + " did not finish within " + wait + ": " + events(job),
                "select * from jobs where id = ? and status in ('succeeded', 'failed', 'cancelled')", job);
    }

    private static String events(long job) throws SQLException {
        return query("select kind, message from job_events where job_id = ? order by id", job).toString();
    }

    private static Map<String, Object> single(String sql, Object... args) throws SQLException {
        List<Map<String, Object>> rows = query(sql, args);
        assertThat(rows).as(sql).hasSize(1);
        return rows.get(0);
    }

    private static List<Map<String, Object>> query(String sql, Object... args) throws SQLException {
        return Rows.query(postgres.getPostgresDatabase(), sql, args);
    }
}
