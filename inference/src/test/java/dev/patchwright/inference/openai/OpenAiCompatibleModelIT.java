package dev.patchwright.inference.openai;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Talks to a real HTTP server on loopback that answers like an OpenAI-compatible chat completions endpoint. */
class OpenAiCompatibleModelIT {

    private static final String KEY = "sk-test-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChatRequest REQUEST = new ChatRequest(
            List.of(ChatMessage.system("You fix bugs."), ChatMessage.user("Fix Calc.subtract")), 256, 0.8, 2, 7L);

    /** One canned answer: what the fake server does with one request. */
    private interface Answer {
        void handle(HttpExchange exchange) throws IOException;
    }

    private record Received(String method, String path, String authorization, String contentType, JsonNode body) {}

    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private ExecutorService executor;
    private URI baseUrl;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), JSON.readTree(body)));
            Answer answer = answers.poll();
            if (answer == null) {
                respond(exchange, 500, "{\"error\":{\"message\":\"test server has no answer queued\"}}");
            } else {
                answer.handle(exchange);
            }
        });
        server.start();
        baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/");
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    @Test
    void returnsEveryChoiceInIndexOrderWithCachedTokens() throws Exception {
        answers.add(json(200, """
                {"id":"chatcmpl-1","object":"chat.completion","model":"qwen3-coder-30b-2026",
                 "choices":[
                   {"index":1,"message":{"role":"assistant","content":"second"},"finish_reason":"stop"},
                   {"index":0,"message":{"role":"assistant","content":"first"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":1200,"completion_tokens":40,"total_tokens":1240,
                          "prompt_tokens_details":{"cached_tokens":1024}}}
                """));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "qwen3-coder-30b", Duration.ofSeconds(5));

        Completion completion = model.complete(REQUEST);

        assertThat(completion.model()).isEqualTo("qwen3-coder-30b-2026");
        assertThat(completion.choices()).containsExactly("first", "second");
        assertThat(completion.usage()).isEqualTo(new Usage(1200, 1024, 40));
        assertThat(model.name()).isEqualTo("qwen3-coder-30b");
    }

    @Test
    void sendsTheRequestFieldsTheProtocolNames() throws Exception {
        answers.add(json(200, completionBody("ok")));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "qwen3-coder-30b", Duration.ofSeconds(5));

        model.complete(REQUEST);

        Received request = received.poll();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.authorization()).isEqualTo("Bearer " + KEY);
        assertThat(request.contentType()).startsWith("application/json");
        JsonNode body = request.body();
        assertThat(body.get("model").asText()).isEqualTo("qwen3-coder-30b");
        assertThat(body.get("messages")).hasSize(2);
        assertThat(body.get("messages").get(0).get("role").asText()).isEqualTo("system");
        assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo("You fix bugs.");
        assertThat(body.get("messages").get(1).get("role").asText()).isEqualTo("user");
        assertThat(body.get("messages").get(1).get("content").asText()).isEqualTo("Fix Calc.subtract");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.8);
        assertThat(body.get("n").asInt()).isEqualTo(2);
        assertThat(body.get("seed").asLong()).isEqualTo(7L);
        assertThat(body.has("top_p")).as("top_p is sent only when set").isFalse();
        assertThat(body.has("stop")).as("stop is sent only when set").isFalse();
    }

    @Test
    void sendsTopPAndStopStringsWhenSet() throws Exception {
        answers.add(json(200, completionBody("ok")));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "qwen3-coder-30b", Duration.ofSeconds(5));

        model.complete(new ChatRequest(List.of(ChatMessage.user("hi")), 8, 0.5, 1, null, 0.9, List.of("\n\n", "END")));

        JsonNode body = received.poll().body();
        assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.get("stop")).hasSize(2);
        assertThat(body.get("stop").get(0).asText()).isEqualTo("\n\n");
        assertThat(body.get("stop").get(1).asText()).isEqualTo("END");
    }

    @Test
    void omitsTheSeedAndTheAuthorizationHeaderWhenThereIsNone() throws Exception {
        answers.add(json(200, completionBody("ok")));
        URI noSlash = URI.create(baseUrl.toString().replaceAll("/$", ""));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(noSlash, null, "local", Duration.ofSeconds(5));

        Completion completion = model.complete(new ChatRequest(List.of(ChatMessage.user("hi")), 8, 0, 1, null));

        Received request = received.poll();
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.authorization()).isNull();
        assertThat(request.body().has("seed")).isFalse();
        assertThat(completion.usage().cachedPromptTokens()).isZero();
        assertThat(completion.choices()).containsExactly("ok");
    }

    @Test
    void showsTheServersErrorMessageButNeverTheKey() {
        answers.add(json(401, """
                {"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error",
                 "code":"invalid_api_key"}}""".formatted(KEY)));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "gpt-x", Duration.ofSeconds(5));

        InferenceException e = catchThrowableOfType(() -> model.complete(REQUEST), InferenceException.class);

        assertThat(e.getMessage())
                .contains(baseUrl + "chat/completions", "HTTP 401", "Incorrect API key provided", "check the API key")
                .doesNotContain(KEY);
        assertThat(e.status()).hasValue(401);
        assertThat(e.retryable()).isFalse();
        assertThat(received).hasSize(1);
        assertThat(model.toString()).contains("gpt-x").doesNotContain(KEY);
    }

    @Test
    void retriesAnOverloadedServerAfterTheWaitItAsksFor() throws Exception {
        answers.add(exchange -> {
            exchange.getResponseHeaders().add("Retry-After", "1");
            respond(exchange, 503, "{\"error\":{\"message\":\"server overloaded\"}}");
        });
        answers.add(json(200, completionBody("after retry")));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "m", Duration.ofSeconds(5));

        long start = System.nanoTime();
        Completion completion = model.complete(REQUEST);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(completion.choices()).containsExactly("after retry");
        assertThat(received).hasSize(2);
        assertThat(millis).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void givesUpAfterTheConfiguredRetries() {
        for (int i = 0; i < 3; i++) {
            answers.add(json(503, "{\"error\":{\"message\":\"no capacity\"}}"));
        }
        OpenAiCompatibleModel model =
                new OpenAiCompatibleModel(baseUrl, KEY, "m", Duration.ofSeconds(5)).withMaxRetries(1);

        InferenceException e = catchThrowableOfType(() -> model.complete(REQUEST), InferenceException.class);

        assertThat(received).hasSize(2);
        assertThat(e.getMessage()).contains("HTTP 503: no capacity", "gave up after 2 attempts");
        assertThat(e.retryable()).isTrue();
        assertThat(e.status()).hasValue(503);
    }

    @Test
    void reportsABodyThatIsNotJson() {
        String html = "<html><body>" + "Bad gateway page ".repeat(30) + "</body></html>";
        answers.add(exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            respond(exchange, 200, html);
        });
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "m", Duration.ofSeconds(5));

        InferenceException e = catchThrowableOfType(() -> model.complete(REQUEST), InferenceException.class);

        assertThat(e.getMessage()).isEqualTo("model server at " + baseUrl + "chat/completions returned a non-JSON body: "
                + html.substring(0, 200) + "...");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void reportsAnAnswerWithoutChoices() {
        answers.add(json(200, "{\"object\":\"list\",\"data\":[]}"));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "m", Duration.ofSeconds(5));

        assertThatThrownBy(() -> model.complete(REQUEST))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining(baseUrl + "chat/completions")
                .hasMessageContaining("without \"choices\"");
    }

    @Test
    void reportsAChoiceWithoutText() {
        answers.add(json(200, """
                {"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null},
                 "finish_reason":"content_filter"}]}"""));
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(baseUrl, KEY, "m", Duration.ofSeconds(5));

        assertThatThrownBy(() -> model.complete(REQUEST))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("choice 0 without text in message.content (finish_reason: content_filter)");
    }

    @Test
    void stopsWaitingForAServerThatNeverAnswers() {
        answers.add(exchange -> awaitRelease());
        InferenceException e = givesUpAfterItsTimeout();
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void stopsWaitingForABodyThatNeverEnds() {
        answers.add(exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("{\"choices\":[".getBytes(UTF_8));
            exchange.getResponseBody().flush();
            awaitRelease();
        });
        givesUpAfterItsTimeout();
    }

    /** Calls a model with a 500 ms timeout and checks that it gave up at about that time, saying why. */
    private InferenceException givesUpAfterItsTimeout() {
        OpenAiCompatibleModel model =
                new OpenAiCompatibleModel(baseUrl, KEY, "m", Duration.ofMillis(500)).withMaxRetries(0);
        long start = System.nanoTime();
        InferenceException e = catchThrowableOfType(() -> model.complete(REQUEST), InferenceException.class);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(e.getMessage()).contains("did not answer within 500 ms");
        assertThat(millis).isBetween(400L, 3000L);
        return e;
    }

    @Test
    void reportsARefusedConnection() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(
                URI.create("http://127.0.0.1:" + port + "/v1"), KEY, "m", Duration.ofSeconds(2)).withMaxRetries(0);

        InferenceException e = catchThrowableOfType(() -> model.complete(REQUEST), InferenceException.class);

        assertThat(e.getMessage()).contains("cannot connect to the model server at http://127.0.0.1:" + port
                + "/v1/chat/completions");
        assertThat(e.retryable()).isTrue();
        assertThat(e.status()).isEmpty();
    }

    @Test
    void rejectsABaseUrlThatIsNotHttp() {
        assertThatThrownBy(() -> new OpenAiCompatibleModel(URI.create("file:///etc"), null, "m", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Answer json(int status, String body) {
        return exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            respond(exchange, status, body);
        };
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String completionBody(String content) {
        return """
                {"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},
                 "finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":2}}""".formatted(content);
    }
}
