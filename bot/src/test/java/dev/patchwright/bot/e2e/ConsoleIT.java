package dev.patchwright.bot.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.patchwright.bot.e2e.EndToEndIT.awaitJob;
import static dev.patchwright.bot.e2e.EndToEndIT.deliver;
import static dev.patchwright.bot.e2e.EndToEndIT.issue;
import static dev.patchwright.bot.e2e.EndToEndIT.labeled;
import static dev.patchwright.bot.e2e.EndToEndIT.query;
import static dev.patchwright.bot.e2e.EndToEndIT.repo;
import static dev.patchwright.bot.e2e.EndToEndResources.github;
import static dev.patchwright.bot.e2e.EndToEndResources.model;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console in a real browser, against the built bot after a real end-to-end job: log in, read the job's
 * evidence and cost, refuse a bad budget and save a good one, replay a failed delivery. And the ways in without a
 * session or without a CSRF token, which must all be refused.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = EndToEndResources.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    /** Strangers write issue titles: this one must show as text, never run. */
    static final String HOSTILE_TITLE = "add() subtracts <script>document.title='pwned'</script>";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private static Browser browser;
    private static long jobId;

    /** The bot starts before the first test, not before {@code @BeforeAll}: the scenario is the first test. */
    @Test
    @Order(0)
    void anIssueIsSolvedEndToEnd() throws Exception {
        repo("acme", "calc", Map.of("calc.py", EndToEndIT.CALC_BUGGY, "test_calc.py", EndToEndIT.TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest -v\ntest-timeout: 60s\ncandidates: 1\n"),
                "Calculator with a bug");
        issue("acme", "calc", 7, HOSTILE_TITLE, "`add(2, 3)` returns -1 instead of 5.", "maintainer");
        github.setPermission("acme", "calc", "maintainer", "write");
        model.enqueue(EndToEndIT.WRONG_ANSWER);
        model.enqueue(EndToEndIT.RIGHT_ANSWER);
        deliver("issues", UUID.randomUUID().toString(), labeled("acme", "calc", 7, "patchwright", "maintainer"))
                .then().statusCode(202);
        Map<String, Object> job = awaitJob("acme/calc", 7);
        assertThat(job.get("status")).as("job %s", job).isEqualTo("succeeded");
        jobId = (Long) job.get("id");
        browser = new Browser("http://localhost:" + RestAssured.port);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void withoutASessionEveryConsoleUrlSendsToTheLoginPageOrAnswers401() {
        for (String path : List.of("/console", "/console/jobs", "/console/jobs/" + jobId, "/console/budgets",
                "/console/deliveries", "/console/assets/uplot.js", "/console/assets/chart.js")) {
            Response response = given().redirects().follow(false).get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(303);
            assertThat(response.header("Location")).as(path).endsWith("/console/login?next=" + path.replace("/", "%2F"));
        }
        given().get("/console/spend.json").then().statusCode(401);
        given().accept("application/json").get("/console/jobs").then().statusCode(401);
        given().redirects().follow(false).cookie("patchwright_console", "forged.1790000000.bm90LWEtbWFj").get("/console")
                .then().statusCode(303);
        given().redirects().follow(false).cookie("patchwright_console", EndToEndResources.ADMIN_TOKEN).get("/console")
                .then().statusCode(303);
        // The chart library's jar would serve itself under /webjars; only the console serves it, behind the login.
        given().get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").then().statusCode(404);
        given().get("/console/login").then().statusCode(200);
        given().get("/console/assets/console.css").then().statusCode(200);
    }

    @Test
    @Order(2)
    void aChangeWithoutTheCsrfTokenOrFromAnotherOriginIsRefusedAndChangesNothing() throws Exception {
        Response anonymous = given().redirects().follow(false).formParam("monthly", "1").post("/console/budgets/acme/calc");
        assertThat(anonymous.statusCode()).isEqualTo(303);
        String cookie = login();
        String csrf = csrf(cookie, "/console/budgets");
        String url = "/console/budgets/acme/calc";

        assertThat(post(cookie, url, Map.of("monthly", "1")).statusCode()).isEqualTo(403);
        assertThat(post(cookie, url, Map.of("monthly", "1", "csrf", "not-the-token")).statusCode()).isEqualTo(403);
        assertThat(given().redirects().follow(false).cookie("patchwright_console", cookie).header("Origin", "https://evil.example")
                .formParams(Map.of("monthly", "1", "csrf", csrf)).post(url).statusCode()).isEqualTo(403);
        assertThat(given().redirects().follow(false).cookie("patchwright_console", cookie).header("Sec-Fetch-Site", "cross-site")
                .formParams(Map.of("monthly", "1", "csrf", csrf)).post(url).statusCode()).isEqualTo(403);
        assertThat(post(cookie, "/console/deliveries/any/replay", Map.of("other", "1")).statusCode()).isEqualTo(403);
        assertThat(query("select count(*) as n from budget_changes").get(0).get("n")).isEqualTo(0L);

        // With the session: the chart's data holds the job's spend against the budget, and a bad filter is named.
        Response spend = given().cookie("patchwright_console", cookie).get("/console/spend.json");
        assertThat(spend.statusCode()).isEqualTo(200);
        long micros = EndToEndIT.ledger(jobId).stream().mapToLong(e -> (Long) e.get("amount_micros")).sum();
        assertThat(spend.jsonPath().getList("days")).hasSize(30);
        assertThat(spend.jsonPath().getDouble("repositories.find { it.repository == 'acme/calc' }.monthly_budget"))
                .isEqualTo(50.0);
        assertThat(spend.jsonPath().getList("repositories.find { it.repository == 'acme/calc' }.month_to_date", Double.class))
                .last().satisfies(last -> assertThat(last).isCloseTo(micros / 1e6, org.assertj.core.data.Offset.offset(1e-9)));
        Response badDate = given().cookie("patchwright_console", cookie).get("/console/jobs?date=yesterday");
        assertThat(badDate.statusCode()).isEqualTo(400);
        assertThat(badDate.asString()).contains("date must be a day such as 2026-12-06, not &#39;yesterday&#39;");

        // Logging out ends the session: the same cookie, replayed, no longer opens anything.
        assertThat(post(cookie, "/console/logout", Map.of("csrf", csrf)).statusCode()).isEqualTo(303);
        given().redirects().follow(false).cookie("patchwright_console", cookie).get("/console").then().statusCode(303);
    }

    @Test
    @Order(3)
    void theOperatorLogsInAndSeesTheOverview() {
        browser.open("/console/jobs");
        assertThat(browser.path()).startsWith("/console/login");
        browser.screenshot("login");
        browser.type("#token", "not-the-token");
        browser.follow("#login");
        assertThat(browser.text("#login-error")).contains("That is not the operator token");

        browser.type("#token", EndToEndResources.ADMIN_TOKEN);
        browser.follow("#login");
        assertThat(browser.path()).isEqualTo("/console/jobs");
        assertThat(browser.script("return document.cookie")).as("HttpOnly: scripts never see it").isEqualTo("");

        browser.open("/console");
        String row = browser.text("tr[data-repository='acme/calc']");
        assertThat(row).contains("100%").contains("1 ok, 0 failed").containsPattern("\\$0\\.\\d+ of \\$50\\.00");
        assertThat(browser.text("#deliveries")).isEqualTo("1 / 1");
        browser.await("#spend-chart[data-drawn='true'] canvas");
        assertThat(browser.text("#spend-chart")).contains("acme/calc this month").contains("acme/calc budget");
        browser.screenshot("overview");
        browser.resize(390, 844);
        browser.screenshot("overview-phone");
        browser.resize(1280, 1000);
    }

    @Test
    @Order(4)
    void theJobShowsItsTimelineCandidatesDiffsAndCost() throws Exception {
        browser.open("/console/jobs?repository=acme%2Fcalc&state=failed");
        assertThat(browser.all("tr[data-job]")).isEmpty();
        browser.open("/console/jobs?repository=acme%2Fcalc&state=succeeded");
        browser.follow("tr[data-job='" + jobId + "'] a");
        assertThat(browser.path()).isEqualTo("/console/jobs/" + jobId);
        assertThat(browser.script("return document.title")).as("the issue title ran no script").asString()
                .startsWith("Job #" + jobId);
        assertThat(browser.text("#issue-title")).isEqualTo(HOSTILE_TITLE);

        Map<String, Object> job = query("select result_url from jobs where id = ?", jobId).get(0);
        assertThat(browser.find("#pr-link").getAttribute("href")).isEqualTo(job.get("result_url"));
        assertThat(browser.find("#issue-link").getAttribute("href")).endsWith("/acme/calc/issues/7");
        assertThat(browser.text("#timeline")).contains("claimed");

        assertThat(browser.text("#candidate-1 h3")).contains("rejected");
        assertThat(browser.text("#candidate-1 .reason")).contains("test_add");
        assertThat(browser.text("#candidate-1 .diff .del")).contains("return a - b");
        assertThat(browser.text("#candidate-1 .diff .add")).contains("return a * b");
        assertThat(browser.text("#candidate-2 h3")).contains("passed");
        assertThat(browser.text("#candidate-2 .diff .add")).contains("return a + b");
        browser.find("#candidate-1 details:nth-of-type(2) summary").click();
        assertThat(browser.text("#candidate-1 .test-output")).contains("test_add").doesNotContain("\u001b");

        List<Map<String, Object>> ledger = EndToEndIT.ledger(jobId);
        long micros = ledger.stream().mapToLong(e -> (Long) e.get("amount_micros")).sum();
        String total = dev.patchwright.inference.money.Money.ofMicros(micros).toString();
        assertThat(browser.all("#ledger tbody tr")).hasSize(ledger.size());
        assertThat(browser.text("#ledger-total")).isEqualTo(total);
        assertThat(browser.text("#job-cost")).isEqualTo(total);
        browser.screenshot("job");
    }

    @Test
    @Order(5)
    void anInvalidBudgetIsRefusedWithTheFieldNamedAndAValidOneIsSaved() throws Exception {
        browser.open("/console/budgets");
        String form = "form[action='/console/budgets/acme/calc'] ";
        browser.type(form + "input[name='monthly']", "-5");
        browser.follow(form + "button");
        assertThat(browser.text("#budget-error")).isEqualTo("Not saved, acme/calc: monthly must not be negative, got -5");
        assertThat(browser.find(form + "input[name='monthly']").getAttribute("value")).isEqualTo("-5");
        browser.screenshot("budgets-refused");

        browser.type(form + "input[name='monthly']", "");
        browser.type(form + "input[name='per_issue']", "501");
        browser.follow(form + "button");
        assertThat(browser.text("#budget-error")).contains("per_issue must be at most $500.00");
        assertThat(query("select count(*) as n from budget_changes").get(0).get("n")).isEqualTo(0L);

        browser.type(form + "input[name='monthly']", "20");
        browser.type(form + "input[name='per_issue']", "");
        browser.type(form + "input[name='per_issue_time']", "45m");
        browser.follow(form + "button");
        assertThat(browser.text("#saved")).isEqualTo("Saved the budget of acme/calc.");
        assertThat(browser.text("section[data-repository='acme/calc'] .monthly")).isEqualTo("$20.00");
        assertThat(browser.text("section[data-repository='acme/calc']")).contains("Last changed by console");
        assertThat(query("select changed_by, after::text as after from budget_changes where key = 'acme/calc'"))
                .singleElement().satisfies(row -> {
                    assertThat(row.get("changed_by")).isEqualTo("console");
                    assertThat((String) row.get("after")).contains("20000000");
                });
        browser.screenshot("budgets");
    }

    @Test
    @Order(6)
    void aFailedDeliveryIsReplayedAndHandled() throws Exception {
        issue("acme", "calc", 31, "add() ignores zero", "`add(7, 0)` is wrong.", "maintainer");
        model.enqueue(EndToEndIT.RIGHT_ANSWER);
        String delivery = UUID.randomUUID().toString();
        String payload = new String(labeled("acme", "calc", 31, "patchwright", "maintainer"), java.nio.charset.StandardCharsets.UTF_8);
        // As a delivery ends after GitHub failed it five times: the bot gave up on it.
        query("insert into webhook_deliveries (delivery_id, event, action, installation_id, repository, payload, status,"
                + " attempts, handled_at, outcome) values (?, 'issues', 'labeled', ?, 'acme/calc', ?::jsonb, 'failed', 5,"
                + " now(), 'GitHub answered 502 five times') returning delivery_id", delivery, github.installationId(), payload);

        browser.open("/console/deliveries");
        assertThat(browser.text("tr[data-delivery='" + delivery + "']")).contains("failed")
                .contains("GitHub answered 502 five times");
        browser.screenshot("deliveries");
        browser.follow("tr[data-delivery='" + delivery + "'] button.replay");
        assertThat(browser.text("#delivery-message")).contains(delivery).contains("queued again");

        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && !browser.text("tr[data-delivery='" + delivery + "']").contains("handled")) {
            Thread.sleep(500);
            browser.open("/console/deliveries");
        }
        assertThat(browser.text("tr[data-delivery='" + delivery + "']")).contains("handled").contains("job ");
        assertThat(browser.all("tr[data-delivery='" + delivery + "'] button.replay")).isEmpty();
        assertThat(awaitJob("acme/calc", 31).get("status")).isEqualTo("succeeded");
        browser.screenshot("deliveries-replayed");
    }

    /** A session cookie from the login form, as a browser would get it. */
    private static String login() {
        Response response = given().redirects().follow(false).formParam("token", EndToEndResources.ADMIN_TOKEN)
                .post("/console/login");
        assertThat(response.statusCode()).isEqualTo(303);
        String setCookie = response.header("Set-Cookie");
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/console")
                .doesNotContain(EndToEndResources.ADMIN_TOKEN);
        return response.getCookie("patchwright_console");
    }

    private static String csrf(String cookie, String page) {
        Matcher matcher = CSRF.matcher(given().cookie("patchwright_console", cookie).get(page).asString());
        assertThat(matcher.find()).as("a CSRF field on %s", page).isTrue();
        return matcher.group(1);
    }

    private static Response post(String cookie, String path, Map<String, String> form) {
        return given().redirects().follow(false).cookie("patchwright_console", cookie).formParams(form).post(path);
    }
}
