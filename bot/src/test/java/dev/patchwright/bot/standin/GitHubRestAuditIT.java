package dev.patchwright.bot.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkiverse.githubapp.runtime.signing.PrivateKeyUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.ReactionContent;
import org.kohsuke.github.extras.HttpClientGitHubConnector;

/** The audit passes real github-api traffic recorded by the stand-in and catches requests GitHub does not document. */
class GitHubRestAuditIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GitHubRestAudit audit;

    @BeforeAll
    static void load() throws Exception {
        audit = GitHubRestAudit.load();
    }

    private static RecordedRequest request(String method, String path, String query, String body) throws Exception {
        return new RecordedRequest(method, path, query, body == null ? null : JSON.readTree(body), 200, null);
    }

    @Test
    void theJournalOfABotLikeSessionHasEveryRequestAndNoViolation() throws Exception {
        Path journal = Path.of("target", "standin", "audit-it-github-requests.jsonl");
        try (GitHubStandIn standIn = new GitHubStandIn(journal)) {
            standIn.createRepo("octo-org", "widget", "main");
            standIn.commitFiles("octo-org", "widget", "main", Map.of("README.md", "# Widget\n"), "Initial commit");
            standIn.commitFiles("octo-org", "widget", "patchwright/issue-3", Map.of("README.md", "# Fixed\n"), "Fix #3");
            standIn.addIssue("octo-org", "widget", 3, "Typo", "Fix the title.", "alice");
            standIn.setPermission("octo-org", "widget", "alice", "admin");
            String jwt = AppJwt.sign(PrivateKeyUtil.loadKey(standIn.privateKeyPem()), standIn.appId());
            var app = new GitHubBuilder().withEndpoint(standIn.apiUrl()).withJwtToken(jwt)
                    .withConnector(new HttpClientGitHubConnector()).build();
            app.getApp().getInstallationByRepository("octo-org", "widget");
            String token = app.getApp().getInstallationById(standIn.installationId()).createToken().create().getToken();
            var gitHub = new GitHubBuilder().withEndpoint(standIn.apiUrl()).withAppInstallationToken(token)
                    .withConnector(new HttpClientGitHubConnector()).build();
            gitHub.getRateLimit();
            GHRepository repo = gitHub.getRepository("octo-org/widget");
            GHIssue issue = repo.getIssue(3);
            repo.getPermission("alice");
            issue.createReaction(ReactionContent.PLUS_ONE);
            issue.comment("On it.").update("Done.");
            repo.getFileContent("README.md", "main");
            repo.createPullRequest("Fix the title", "patchwright/issue-3", "main", "Fixes #3").requestReviewers(List.of(issue.getUser()));
        }

        List<JsonNode> lines = Files.readAllLines(journal, StandardCharsets.UTF_8).stream().map(line -> {
            try {
                return JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
        assertThat(lines).extracting(l -> l.path("method").asText() + " " + l.path("path").asText()).contains(
                "POST /app/installations/31337001/access_tokens",
                "POST /repos/octo-org/widget/issues/3/comments",
                "POST /repos/octo-org/widget/pulls");
        assertThat(lines).filteredOn(l -> l.path("path").asText().equals("/repos/octo-org/widget/issues/3/comments"))
                .singleElement().satisfies(l -> {
                    assertThat(l.path("body").path("body").asText()).isEqualTo("On it.");
                    assertThat(l.path("status").asInt()).isEqualTo(201);
                    assertThat(l.has("query")).isTrue();
                });
        assertThat(Files.readString(journal)).doesNotContain("ghs_");
        assertThat(audit.check(journal)).isEmpty();
    }

    @Test
    void aBodyPropertyTheOperationDoesNotDeclareIsAViolation() throws Exception {
        List<String> violations = audit.checkRequest(request("POST", "/repos/o/r/pulls", null,
                "{\"title\":\"t\",\"head\":\"b\",\"base\":\"main\",\"nonsense\":1}"));

        assertThat(violations).singleElement().asString().contains("pulls/create").contains("'nonsense'");
    }

    @Test
    void missingRequiredPropertiesAndWrongTypesAreViolations() throws Exception {
        assertThat(audit.checkRequest(request("POST", "/repos/o/r/pulls", null, "{\"title\":\"t\",\"base\":\"main\"}")))
                .singleElement().asString().contains("lacks required property 'head'");
        assertThat(audit.checkRequest(request("POST", "/repos/o/r/issues/1/comments", null, "{\"body\":5}")))
                .singleElement().asString().contains("body.body should be string");
        assertThat(audit.checkRequest(request("POST", "/repos/o/r/issues/1/reactions", null, "{\"content\":\"party\"}")))
                .singleElement().asString().contains("not one of");
        assertThat(audit.checkRequest(request("PATCH", "/repos/o/r/issues/comments/9", null, null)))
                .singleElement().asString().contains("requires a body");
    }

    @Test
    void undocumentedPathsMethodsAndQueryParametersAreViolations() throws Exception {
        assertThat(audit.checkRequest(request("GET", "/repos/o/r/frobnicate", null, null))).hasSize(1);
        assertThat(audit.checkRequest(request("DELETE", "/rate_limit", null, null))).hasSize(1);
        assertThat(audit.checkRequest(request("GET", "/repos/o/r/pulls", "state=open&colour=red", null)))
                .singleElement().asString().contains("'colour'");
        assertThat(audit.checkRequest(request("GET", "/repos/o/r/pulls", "state=open&head=o%3Ab&per_page=30", null))).isEmpty();
        assertThat(audit.checkRequest(request("GET", "/repos/o/r/contents/src/main/App.java", "ref=main", null))).isEmpty();
        assertThat(audit.checkRequest(request("GET", "/repos/o/r/issues/comments/5", null, null))).isEmpty();
    }

    @Test
    void aResponseLackingARequiredPropertyIsAViolation() throws Exception {
        RecordedRequest request = new RecordedRequest("POST", "/repos/o/r/issues/1/reactions", null,
                JSON.readTree("{\"content\":\"eyes\"}"), 201, JSON.readTree("{\"id\":1,\"content\":\"eyes\"}"));

        assertThat(audit.checkResponse(request))
                .anySatisfy(violation -> assertThat(violation).contains("lacks required property 'user'"));
    }

    @Test
    void aMissingDescriptionFailsWithTheInstallCommand() {
        assertThatThrownBy(() -> GitHubRestAudit.load(Path.of("target", "no-such-dir", "api.github.com.json")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("npm install --prefix .ci/node @octokit/openapi");
    }
}
