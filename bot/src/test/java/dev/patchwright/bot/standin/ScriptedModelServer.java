package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local OpenAI-compatible chat-completions server that answers from a script. Each
 * {@code POST /v1/chat/completions} answers the scripted error at the head of the script, if there is
 * one, else takes the next n scripted replies as its n choices ({@code n} from the request, default 1).
 * When fewer than n replies come before the next error or the end, it answers 500 with an OpenAI error
 * body saying the script is exhausted, and takes nothing. Streaming is not scripted (400). Records every
 * chat request body and every Authorization header. A scripted {@linkplain #enqueueHold() hold} keeps the request
 * that reaches it waiting until the test releases it, then answers 503: the caller is meant to be gone by then.
 */
public final class ScriptedModelServer implements AutoCloseable {

    /** The model {@code GET /v1/models} lists. Chat requests may name any model; it is echoed back. */
    public static final String MODEL = "scripted-model";

    private sealed interface Step permits Reply, Failure, Held {}

    private record Reply(String content, int promptTokens, int completionTokens, int cachedTokens,
                         java.util.concurrent.CountDownLatch release) implements Step {}

    private record Failure(int status, String message) implements Step {}

    private record Held(Hold hold) implements Step {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String apiKey;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Step> script = new ArrayDeque<>();
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong completions = new AtomicLong();

    /** Starts a server that accepts any API key (or none), recording what it got. */
    public ScriptedModelServer() {
        this(null);
    }

    /**
     * Starts a server on 127.0.0.1, random port.
     *
     * @param apiKey the key every request must carry as {@code Authorization: Bearer <key>} (else 401,
     *               as OpenAI answers), or null to accept any
     * @throws UncheckedIOException when the server cannot bind
     */
    public ScriptedModelServer(String apiKey) {
        this.apiKey = apiKey;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the scripted model server", e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The API base, {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Scripts a reply; its usage counts about four characters a token, nothing cached. */
    public void enqueue(String content) {
        enqueue(content, -1, (content.length() + 3) / 4, 0);
    }

    /**
     * Scripts a reply with exact usage.
     *
     * @param promptTokens prompt tokens to report, or -1 to estimate from the request (four characters a token)
     */
    public synchronized void enqueue(String content, int promptTokens, int completionTokens, int cachedTokens) {
        script.addLast(new Reply(content, promptTokens, completionTokens, cachedTokens, null));
    }

    /**
     * Scripts a reply that is sent only once the returned latch is counted down (or after two minutes): lets a test act
     * while the bot waits on the model.
     */
    public synchronized java.util.concurrent.CountDownLatch enqueueHeld(String content) {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        script.addLast(new Reply(content, -1, (content.length() + 3) / 4, 0, release));
        return release;
    }

    /** Scripts an error: the HTTP status and OpenAI's {@code {"error": {message, type, param, code}}} body. */
    public synchronized void enqueueError(int status, String message) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 400-599, not " + status);
        }
        script.addLast(new Failure(status, message));
    }

    /**
     * Scripts a hold: the request that reaches it waits until the returned hold is released, then gets a 503 and
     * takes no reply; the steps after it serve the requests after it.
     */
    public synchronized Hold enqueueHold() {
        Hold hold = new Hold("the scripted model's request " + (requests.size() + script.size() + 1));
        script.addLast(new Held(hold));
        return hold;
    }

    /** How many scripted steps are left. */
    public synchronized int remaining() {
        return script.size();
    }

    /** Every request body received on {@code /v1/chat/completions}, in order. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The Authorization header of every request received on any path, in order; null where absent. */
    public List<String> authorizations() {
        synchronized (authorizations) {
            return Collections.unmodifiableList(new ArrayList<>(authorizations));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(authorization);
            String route = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            if (apiKey != null && !("Bearer " + apiKey).equals(authorization)) {
                send(exchange, 401, error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
            } else if (route.equals("GET /v1/models")) {
                send(exchange, 200, models());
            } else if (route.equals("POST /v1/chat/completions")) {
                send(exchange, raw);
            } else {
                send(exchange, 404, error("Invalid URL (" + route + ")", "invalid_request_error", null));
            }
        }
    }

    private void send(HttpExchange exchange, byte[] raw) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(raw);
        } catch (IOException e) {
            send(exchange, 400, error("We could not parse the JSON body of your request.", "invalid_request_error", null));
            return;
        }
        if (request == null || !request.path("model").isTextual() || !request.path("messages").isArray()) {
            send(exchange, 400, error("The request needs a string 'model' and an array 'messages'.", "invalid_request_error", null));
            return;
        }
        requests.add(request);
        if (request.path("stream").asBoolean(false)) {
            send(exchange, 400, error("stream=true is not scripted; ask without streaming.", "invalid_request_error", null));
            return;
        }
        int n = request.path("n").asInt(1);
        List<Reply> replies = new ArrayList<>();
        Failure failure = null;
        Held held = null;
        synchronized (this) {
            if (script.peekFirst() instanceof Held head) {
                held = head;
                script.removeFirst();
            } else if (script.peekFirst() instanceof Failure head) {
                failure = head;
                script.removeFirst();
            } else if (script.stream().limit(n).filter(step -> step instanceof Reply).count() == n) {
                for (int i = 0; i < n; i++) {
                    replies.add((Reply) script.removeFirst());
                }
            }
        }
        for (Reply reply : replies) {
            if (reply.release() != null) {
                try {
                    reply.release().await(2, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (held != null) {
            held.hold().arrive();
            send(exchange, 503, error("This request was held by the test and then dropped.", "server_error", null));
        } else if (failure != null) {
            send(exchange, failure.status(), error(failure.message(), errorType(failure.status()), errorCode(failure.status())));
        } else if (replies.isEmpty()) {
            send(exchange, 500, error("The script is exhausted: the request asked for " + n
                    + " choice(s) and fewer scripted replies remain.", "server_error", "script_exhausted"));
        } else {
            send(exchange, 200, completion(request, replies, raw.length));
        }
    }

    private ObjectNode completion(JsonNode request, List<Reply> replies, int requestBytes) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-scripted-" + completions.incrementAndGet()).put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000).put("model", request.path("model").asText());
        ArrayNode choices = body.putArray("choices");
        int completionTokens = 0;
        for (int i = 0; i < replies.size(); i++) {
            ObjectNode choice = choices.addObject().put("index", i);
            choice.putObject("message").put("role", "assistant").put("content", replies.get(i).content());
            choice.putNull("logprobs").put("finish_reason", "stop");
            completionTokens += replies.get(i).completionTokens();
        }
        Reply first = replies.get(0);
        int promptTokens = first.promptTokens() >= 0 ? first.promptTokens() : (requestBytes + 3) / 4;
        ObjectNode usage = body.putObject("usage").put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens).put("total_tokens", promptTokens + completionTokens);
        usage.putObject("prompt_tokens_details").put("cached_tokens", first.cachedTokens());
        body.putNull("system_fingerprint");
        return body;
    }

    private static ObjectNode models() {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", MODEL).put("object", "model").put("created", 0)
                .put("owned_by", "patchwright-tests");
        return body;
    }

    private static String errorType(int status) {
        return switch (status) {
            case 429 -> "requests";
            case 400, 401, 404, 409, 413, 422 -> "invalid_request_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    private static String errorCode(int status) {
        return switch (status) {
            case 401 -> "invalid_api_key";
            case 404 -> "model_not_found";
            case 429 -> "rate_limit_exceeded";
            default -> null;
        };
    }

    private static ObjectNode error(String message, String type, String code) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
        return body;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Stops the server at once. */
    @Override
    public void close() {
        synchronized (this) {
            script.stream().filter(step -> step instanceof Held).forEach(step -> ((Held) step).hold().release());
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
