package dev.patchwright.bot.standin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scripted model server answers OpenAI's chat-completions protocol in script order. */
class ScriptedModelServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private ScriptedModelServer model;

    @BeforeEach
    void start() {
        model = new ScriptedModelServer("sk-test-key");
    }

    @AfterEach
    void stop() {
        model.close();
    }

    private record Answer(int status, JsonNode body) {}

    private Answer chat(String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(model.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    private static String ask(String question, int n) {
        return "{\"model\":\"gpt-test\",\"n\":" + n + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    @Test
    void repliesComeInScriptOrderWithOpenAisShapeAndTheRequestsAreRecorded() throws Exception {
        model.enqueue("first", 120, 7, 100);
        model.enqueue("second");

        Answer one = chat(ask("q1", 1), "sk-test-key");
        Answer two = chat(ask("q2", 1), "sk-test-key");

        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body().path("object").asText()).isEqualTo("chat.completion");
        assertThat(one.body().path("id").asText()).startsWith("chatcmpl-");
        assertThat(one.body().path("created").asLong()).isPositive();
        assertThat(one.body().path("model").asText()).isEqualTo("gpt-test");
        JsonNode choice = one.body().path("choices").get(0);
        assertThat(choice.path("index").asInt()).isZero();
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isEqualTo("first");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = one.body().path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(120);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(7);
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(127);
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt()).isEqualTo(100);
        assertThat(two.body().path("choices").get(0).path("message").path("content").asText()).isEqualTo("second");
        assertThat(model.requests()).extracting(r -> r.path("messages").get(0).path("content").asText())
                .containsExactly("q1", "q2");
        assertThat(model.authorizations()).containsExactly("Bearer sk-test-key", "Bearer sk-test-key");
    }

    @Test
    void aRequestForThreeChoicesTakesThreeReplies() throws Exception {
        model.enqueue("a", 50, 1, 0);
        model.enqueue("b", 50, 2, 0);
        model.enqueue("c", 50, 3, 0);
        model.enqueue("left over");

        Answer answer = chat(ask("sample", 3), "sk-test-key");

        assertThat(answer.body().path("choices")).extracting(c -> c.path("message").path("content").asText())
                .containsExactly("a", "b", "c");
        assertThat(answer.body().path("choices")).extracting(c -> c.path("index").asInt()).containsExactly(0, 1, 2);
        assertThat(answer.body().path("usage").path("completion_tokens").asInt()).isEqualTo(6);
        assertThat(model.remaining()).isEqualTo(1);
    }

    @Test
    void aScriptedErrorHasOpenAisErrorBody() throws Exception {
        model.enqueueError(429, "Rate limit reached for requests");
        model.enqueue("after the error");

        Answer error = chat(ask("q", 1), "sk-test-key");
        Answer next = chat(ask("q", 1), "sk-test-key");

        assertThat(error.status()).isEqualTo(429);
        assertThat(error.body().path("error").path("message").asText()).isEqualTo("Rate limit reached for requests");
        assertThat(error.body().path("error").path("type").asText()).isEqualTo("requests");
        assertThat(error.body().path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(next.body().path("choices").get(0).path("message").path("content").asText()).isEqualTo("after the error");
    }

    @Test
    void anExhaustedScriptAnswers500SayingSo() throws Exception {
        model.enqueue("only one");

        Answer tooMany = chat(ask("q", 2), "sk-test-key");
        Answer one = chat(ask("q", 1), "sk-test-key");
        Answer none = chat(ask("q", 1), "sk-test-key");

        assertThat(tooMany.status()).isEqualTo(500);
        assertThat(tooMany.body().path("error").path("message").asText()).contains("script is exhausted");
        assertThat(one.status()).isEqualTo(200);
        assertThat(none.status()).isEqualTo(500);
        assertThat(none.body().path("error").path("type").asText()).isEqualTo("server_error");
    }

    @Test
    void aWrongKeyIsRefusedWithoutSpendingTheScript() throws Exception {
        model.enqueue("kept");

        Answer wrong = chat(ask("q", 1), "sk-wrong");
        Answer missing = chat(ask("q", 1), null);

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().path("error").path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(model.remaining()).isEqualTo(1);
        assertThat(model.authorizations()).containsExactly("Bearer sk-wrong", null);
    }

    @Test
    void modelsListsTheScriptedModel() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(model.baseUrl() + "/models"))
                .header("Authorization", "Bearer sk-test-key").build(), HttpResponse.BodyHandlers.ofString());

        JsonNode body = JSON.readTree(response.body());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body.path("object").asText()).isEqualTo("list");
        assertThat(body.path("data").get(0).path("id").asText()).isEqualTo(ScriptedModelServer.MODEL);
    }
}
