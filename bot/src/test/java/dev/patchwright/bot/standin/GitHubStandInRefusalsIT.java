package dev.patchwright.bot.standin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a client sees when it asks the stand-in wrongly: GitHub's statuses, headers and error bodies. */
class GitHubStandInRefusalsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GitHubStandIn standIn;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        standIn = new GitHubStandIn(Path.of("target", "standin", "refusals-it.jsonl"));
        standIn.createRepo("octo-org", "widget", "main");
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    private HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(standIn.apiUrl() + path))
                .header("Accept", "application/vnd.github+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void repositoryCallsWithoutAValidTokenGet401() throws Exception {
        HttpResponse<String> none = send("GET", "/repos/octo-org/widget", null, null);
        HttpResponse<String> bogus = send("GET", "/repos/octo-org/widget", "token ghs_bogus", null);
        HttpResponse<String> basic = send("GET", "/repos/octo-org/widget", "Basic eDp5", null);

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).path("message").asText()).isEqualTo("Requires authentication");
        assertThat(bogus.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(bogus.body()).path("message").asText()).isEqualTo("Bad credentials");
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(bogus.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    }

    @Test
    void anAppCallWithoutAJwtGets401() throws Exception {
        HttpResponse<String> response = send("POST", "/app/installations/" + standIn.installationId() + "/access_tokens",
                "Bearer not-a-jwt", "{}");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("message").asText()).contains("JSON web token");
    }

    @Test
    void anUnknownRouteGetsGitHubsNotFoundBody() throws Exception {
        HttpResponse<String> response = send("GET", "/repos/octo-org/widget/frobnicate", null, null);

        JsonNode body = JSON.readTree(response.body());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(body.path("message").asText()).isEqualTo("Not Found");
        assertThat(body.path("documentation_url").asText()).startsWith("https://docs.github.com/");
        assertThat(standIn.requests()).last().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/repos/octo-org/widget/frobnicate");
            assertThat(r.status()).isEqualTo(404);
        });
    }

    @Test
    void malformedJsonGets400() throws Exception {
        HttpResponse<String> response = send("POST", "/app/installations/1/access_tokens", null, "{not json");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("message").asText()).isEqualTo("Problems parsing JSON");
    }

    @Test
    void responsesCarryGitHubsRateLimitHeaders() throws Exception {
        HttpResponse<String> response = send("GET", "/rate_limit", null, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-RateLimit-Limit")).contains("5000");
        assertThat(response.headers().firstValue("X-RateLimit-Remaining")).isPresent();
        assertThat(JSON.readTree(response.body()).path("resources").path("core").path("limit").asInt()).isEqualTo(5000);
    }
}
