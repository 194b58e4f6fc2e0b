package dev.patchwright.worker.solve;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading the linked issue from a server on loopback that answers {@code GET /repos/{owner}/{repo}/issues/{n}} as
 * GitHub does (an issue, a pull request with its {@code pull_request} object, a 404): a merged pull request leads
 * to the issue it closes, the token goes in the Authorization header, and what cannot be read falls back to the
 * commit message, saying why.
 */
class LinkedIssueIT {

    private HttpServer server;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    private static final Map<String, String> ISSUES = Map.of(
            "/api/v3/repos/acme/app/issues/7", "{\"number\": 7, \"title\": \"Crash on empty input\","
                    + " \"body\": \"parse(\\\"\\\") throws.\", \"state\": \"closed\"}",
            "/api/v3/repos/acme/app/issues/45", "{\"number\": 45, \"title\": \"Handle empty input\","
                    + " \"body\": \"Return an empty list. Fixes #7\", \"pull_request\": {\"url\": \"x\"}}",
            "/api/v3/repos/acme/app/issues/46", "{\"number\": 46, \"title\": \"Tidy\", \"body\": null,"
                    + " \"pull_request\": {\"url\": \"y\"}}");

    @BeforeEach
    void gitHub() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            asked.add(exchange.getRequestURI().getPath());
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String body = ISSUES.get(exchange.getRequestURI().getPath());
            byte[] bytes = (body != null ? body : "{\"message\": \"Not Found\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(body != null ? 200 : 404, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private LinkedIssue issues(String token) {
        return new LinkedIssue(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v3/"),
                "acme/app", token);
    }

    @Test
    void aMergedPullRequestLeadsToTheIssueItClosedAndTheTokenIsSent() {
        LinkedIssue.IssueText issue = issues("ghs_secret").find("Merge pull request #45 from dev/empty\n\nHandle it");

        assertThat(issue).isEqualTo(new LinkedIssue.IssueText("Crash on empty input", "parse(\"\") throws.",
                "issue acme/app#7"));
        assertThat(asked).containsExactly("/api/v3/repos/acme/app/issues/45", "/api/v3/repos/acme/app/issues/7");
        assertThat(authorizations).containsOnly("Bearer ghs_secret");
    }

    @Test
    void whatCannotBeReadFallsBackToTheCommitMessageSayingWhy() {
        LinkedIssue.IssueText missing = issues(null).find("Fix the parser (#99)\n\nIt crashed.");
        assertThat(missing).isEqualTo(new LinkedIssue.IssueText("Fix the parser (#99)", "It crashed.",
                "commit message (acme/app#99 unavailable: HTTP 404 (no such issue, or a private repository"
                        + " without a token))"));
        assertThat(authorizations).containsOnly("null");

        LinkedIssue.IssueText pull = issues(null).find("Tidy (#46)");
        assertThat(pull.source()).isEqualTo("commit message (acme/app#46 is a pull request that closes no issue)");

        LinkedIssue.IssueText none = issues(null).find("Tidy the parser");
        assertThat(none.source()).isEqualTo("commit message (it references no issue)");
    }
}
