package dev.patchwright.inference.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.RandomModel;
import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /health} and Prometheus {@code /metrics} of a keyed server, read over real HTTP on loopback. */
class ModelServerMetricsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String NAME = "tiny-random";

    @TempDir
    Path dir;

    @Test
    void healthAndMetricsAnswerWithoutTheKeyAndCountWhatTheModelDid() throws Exception {
        String key = "pw-metrics-key-" + System.nanoTime();
        try (LocalModel model = LocalModel.open(RandomModel.tiny(3).write(dir.resolve("model")), NAME, 1 << 26);
                ModelServer server = new ModelServer(model, NAME, new InetSocketAddress("127.0.0.1", 0), key)) {
            HttpResponse<String> health = get(server, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(health.body());
            assertThat(body.get("status").asText()).isEqualTo("ok");
            assertThat(body.get("model").asText()).isEqualTo(NAME);
            assertThat(body.get("requests_in_flight").asInt()).isZero();

            Map<String, Double> before = metrics(server);
            assertThat(before).containsEntry("patchwright_model_requests_total", 0.0)
                    .containsEntry("patchwright_model_requests_waiting", 0.0)
                    .containsEntry("patchwright_model_kv_blocks_used", 0.0);

            // Two prompts that share their first 128-token block (one token a byte, well over 128 tokens) and
            // differ after it: the prefix cache holds the shared block once.
            String packed = "The packed repository: " + "class A { int f() { return 1; } }\n".repeat(12);
            OpenAiCompatibleModel client = new OpenAiCompatibleModel(server.baseUrl(), key, NAME, Duration.ofSeconds(60))
                    .withMaxRetries(0);
            Completion first = client.complete(new ChatRequest(List.of(ChatMessage.user(packed + "Fix bug one")), 6,
                    1.0, 2, 5L));
            Completion second = client.complete(new ChatRequest(List.of(ChatMessage.user(packed + "Fix bug two")), 6,
                    1.0, 2, 6L));

            Map<String, Double> after = metrics(server);
            assertThat(after.get("patchwright_model_requests_total")).isEqualTo(2.0);
            assertThat(after.get("patchwright_model_request_failures_total")).isEqualTo(0.0);
            assertThat(after.get("patchwright_model_generated_tokens_total"))
                    .isEqualTo((double) (first.usage().completionTokens() + second.usage().completionTokens()));
            assertThat(after.get("patchwright_model_prompt_tokens_total"))
                    .isEqualTo((double) (first.usage().promptTokens() + second.usage().promptTokens()));
            assertThat(second.usage().cachedPromptTokens()).isGreaterThanOrEqualTo(LocalModel.PREFIX_BLOCK_TOKENS);
            assertThat(after.get("patchwright_model_cached_prompt_tokens_total"))
                    .isEqualTo((double) second.usage().cachedPromptTokens());
            assertThat(after.get("patchwright_model_compute_seconds_total")).isPositive();
            assertThat(after.get("patchwright_model_generated_tokens_per_second")).isPositive();
            assertThat(after.get("patchwright_model_kv_blocks_used")).isGreaterThanOrEqualTo(3.0);
            assertThat(after.get("patchwright_model_kv_blocks_shared")).isGreaterThanOrEqualTo(1.0);
            assertThat(after.get("patchwright_model_kv_cache_bytes")).isPositive();
            assertThat(after.get("patchwright_model_requests_running")).isEqualTo(0.0);

            HttpResponse<String> scrape = get(server, "/metrics");
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(scrape.body()).contains("# TYPE patchwright_model_generated_tokens_total counter")
                    .doesNotContain("Fix bug").doesNotContain(key);
            assertThat(post(server, "/metrics").statusCode()).isEqualTo(405);
            assertThat(get(server, "/v1/models").statusCode()).as("the API itself still needs the key").isEqualTo(401);
        }
    }

    /** Every sample line of the text format, by metric name (each has the one label {@code model}). */
    private static Map<String, Double> metrics(ModelServer server) throws Exception {
        return metrics(server, NAME);
    }

    /** As {@link #metrics(ModelServer)} for a model served as {@code name}. */
    static Map<String, Double> metrics(ModelServer server, String name) throws Exception {
        HttpResponse<String> response = get(server, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Double> values = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            assertThat(line).matches("[a-z_]+\\{model=\"" + name + "\"\\} [0-9.e+-]+");
            values.put(line.substring(0, line.indexOf('{')), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
        return values;
    }

    private static HttpResponse<String> get(ModelServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(root(server, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(ModelServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(root(server, path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI root(ModelServer server, String path) {
        return server.baseUrl().resolve(path);
    }
}
