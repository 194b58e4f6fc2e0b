package dev.patchwright.inference.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real OpenAI-compatible client, and raw HTTP where the client has no say, against the server on loopback. */
class ModelServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<ChatMessage> HELLO = List.of(ChatMessage.system("You fix bugs."), ChatMessage.user("Fix it"));
    private static final String NAME = "tiny-random";

    @TempDir
    static Path dir;

    private static LocalModel model;
    private static ModelServer server;
    private static OpenAiCompatibleModel client;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        model = LocalModel.open(RandomModel.tiny(7).write(dir.resolve("model")), NAME, 1 << 24);
        server = new ModelServer(model, NAME, new InetSocketAddress("127.0.0.1", 0));
        client = new OpenAiCompatibleModel(server.baseUrl(), null, NAME, Duration.ofSeconds(30)).withMaxRetries(0);
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    @Test
    void listsTheServedModel() throws Exception {
        HttpResponse<String> response = get("/models");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("data")).hasSize(1);
        assertThat(body.get("data").get(0).get("id").asText()).isEqualTo(NAME);
        assertThat(body.get("data").get(0).get("object").asText()).isEqualTo("model");
    }

    @Test
    void theClientGetsNSeededSamplesAndTheCachedPromptTokens() throws Exception {
        ChatRequest request = new ChatRequest(List.of(ChatMessage.user("three samples, seed 21")), 12, 1.0, 3, 21L);

        Completion first = client.complete(request);
        Completion second = client.complete(request);

        assertThat(first.model()).isEqualTo(NAME);
        assertThat(first.choices()).hasSize(3).doesNotHaveDuplicates();
        assertThat(second.choices()).isEqualTo(first.choices());
        assertThat(first.choices()).isEqualTo(model.complete(request).choices());
        assertThat(first.usage().promptTokens()).isPositive();
        assertThat(first.usage().completionTokens()).isBetween(3L, 36L);
        assertThat(second.usage().cachedPromptTokens()).isEqualTo(second.usage().promptTokens());
    }

    @Test
    void stopStringsCutTheTextAsTheyDoLocally() throws Exception {
        String whole = model.complete(new ChatRequest(HELLO, 20, 0, 1, null)).choices().get(0);
        String stop = whole.substring(4, 6);

        Completion cut = client.complete(new ChatRequest(HELLO, 20, 0, 1, null, 1.0, List.of(stop)));

        assertThat(cut.choices()).containsExactly(whole.substring(0, whole.indexOf(stop)));
    }

    @Test
    void streamsDeltasThatAddUpToTheWholeAnswerThenUsageAndDone() throws Exception {
        String request = "{\"model\":\"" + NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}],"
                + "\"max_tokens\":16,\"temperature\":0,\"n\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        HttpResponse<String> whole = post(request.replace(",\"stream\":true,\"stream_options\":{\"include_usage\":true}", ""));
        HttpResponse<String> streamed = post(request);

        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = new ArrayList<>();
        for (String block : streamed.body().split("\n\n")) {
            assertThat(block).startsWith("data: ");
            events.add(block.substring(6));
        }
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
        String[] finish = new String[2];
        boolean[] role = new boolean[2];
        JsonNode usage = null;
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("model").asText()).isEqualTo(NAME);
            if (chunk.has("usage")) {
                usage = chunk.get("usage");
                assertThat(chunk.get("choices")).isEmpty();
                continue;
            }
            JsonNode choice = chunk.get("choices").get(0);
            int index = choice.get("index").asInt();
            if (choice.get("delta").has("role")) {
                assertThat(text[index]).as("the role comes first").isEmpty();
                role[index] = choice.get("delta").get("role").asText().equals("assistant");
            }
            text[index].append(choice.get("delta").path("content").asText(""));
            if (!choice.get("finish_reason").isNull()) {
                finish[index] = choice.get("finish_reason").asText();
            }
        }
        JsonNode expected = JSON.readTree(whole.body());
        for (int i = 0; i < 2; i++) {
            assertThat(role[i]).isTrue();
            assertThat(text[i].toString()).isEqualTo(expected.get("choices").get(i).get("message").get("content").asText());
            assertThat(finish[i]).isEqualTo(expected.get("choices").get(i).get("finish_reason").asText());
        }
        assertThat(usage).isNotNull();
        assertThat(usage.get("completion_tokens").asLong()).isEqualTo(expected.get("usage").get("completion_tokens").asLong());
        assertThat(usage.get("prompt_tokens_details").get("cached_tokens").asLong())
                .isEqualTo(usage.get("prompt_tokens").asLong());
        assertThat(usage.get("total_tokens").asLong())
                .isEqualTo(usage.get("prompt_tokens").asLong() + usage.get("completion_tokens").asLong());
    }

    @Test
    void refusesBadRequestsWithOpenAiErrorBodiesNamingTheField() throws Exception {
        String ok = "\"model\":\"" + NAME + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        assertError(post("{not json"), 400, null);
        assertError(post("{\"model\":\"" + NAME + "\"}"), 400, "messages");
        assertError(post("{\"model\":\"" + NAME + "\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}"), 400,
                "messages[0].role");
        assertError(post("{" + ok + ",\"temperature\":3}"), 400, "temperature");
        assertError(post("{" + ok + ",\"top_p\":0}"), 400, "top_p");
        assertError(post("{" + ok + ",\"n\":0}"), 400, "n");
        assertError(post("{" + ok + ",\"max_tokens\":0}"), 400, "max_tokens");
        assertError(post("{" + ok + ",\"seed\":\"x\"}"), 400, "seed");
        assertError(post("{" + ok + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"), 400, "stop");
        assertError(post("{" + ok.replace(NAME, "gpt-4.1") + "}"), 404, "model");
        assertError(post("{" + ok.replace("hi", "x".repeat(RandomModel.CONTEXT + 100)) + "}"), 413, "messages");
        assertError(get("/nowhere"), 404, null);
        assertError(get("/chat/completions"), 405, null);
    }

    @Test
    void aServerWithAKeyAnswersOnlyRequestsThatCarryIt() throws Exception {
        String key = "pw-server-key-" + System.nanoTime();
        try (ModelServer guarded = new ModelServer(model, NAME, new InetSocketAddress("127.0.0.1", 0), key)) {
            URI models = URI.create(guarded.baseUrl() + "/models");
            HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(models).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer nope")
                    .GET().build(), HttpResponse.BodyHandlers.ofString());

            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(none.body()).at("/error/code").asText()).isEqualTo("missing_api_key");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(wrong.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
            assertThat(wrong.body()).doesNotContain(key);
            // The bot's own client, given the key, is served.
            OpenAiCompatibleModel keyed = new OpenAiCompatibleModel(guarded.baseUrl(), key, NAME, Duration.ofSeconds(30))
                    .withMaxRetries(0);
            assertThat(keyed.complete(new ChatRequest(HELLO, 4, 0.0, 1, 1L)).choices()).hasSize(1);
            OpenAiCompatibleModel keyless = new OpenAiCompatibleModel(guarded.baseUrl(), null, NAME,
                    Duration.ofSeconds(30)).withMaxRetries(0);
            assertThatThrownBy(() -> keyless.complete(new ChatRequest(HELLO, 4, 0.0, 1, 1L)))
                    .hasMessageContaining("401");
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String param) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.has("code")).isTrue();
        if (param == null) {
            assertThat(error.get("param").isNull()).isTrue();
        } else {
            assertThat(error.get("param").asText()).isEqualTo(param);
            assertThat(error.get("message").asText()).contains(param.replaceAll("\\[.*", ""));
        }
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
