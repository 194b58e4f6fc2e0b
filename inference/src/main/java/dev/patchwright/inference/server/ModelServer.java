package dev.patchwright.inference.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.patchwright.inference.local.LocalCompletion;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.PromptTooLongException;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serves a {@link LocalModel} over the OpenAI chat completions protocol, so worker nodes call it like any
 * other endpoint: {@code GET /v1/models} and {@code POST /v1/chat/completions}, answered whole or streamed as
 * server-sent events ({@code "stream": true}), with {@code n}, {@code max_tokens} (or
 * {@code max_completion_tokens}), {@code temperature}, {@code top_p}, {@code seed} and {@code stop}. Usage
 * reports the prompt tokens the prefix cache served as {@code prompt_tokens_details.cached_tokens}.
 *
 * <p>Refusals carry OpenAI's error object: 400 for a body that is not JSON or a field that is missing or out
 * of range (named in {@code param}), 404 for an unknown path or a model name other than the one served (as
 * vLLM does), 405 for a wrong method, 413 for a prompt longer than the model's context or a body over
 * {@value #MAX_BODY_BYTES} bytes, and, when the server has an API key, 401 for a request without it (the
 * key is compared in constant time and never written anywhere). Requests are taken concurrently and generated
 * one at a time. {@code GET /health} (a small JSON body) and {@code GET /metrics} (Prometheus text: queue
 * depth, tokens, engine time, tokens/s, KV blocks; see {@link ServerMetrics}) need no key, as vLLM's do, so
 * that probes and scrapers reach them; they carry counts, never prompts or text.
 */
public final class ModelServer implements AutoCloseable {

    /** The largest request body accepted. */
    public static final int MAX_BODY_BYTES = 64 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalModel model;
    private final String servedName;
    /** The bearer token every request must carry, or null to serve anyone who can connect. */
    private final byte[] apiKey;
    private final HttpServer server;
    private final ExecutorService executor;
    private final long created = Instant.now().getEpochSecond();
    private final ServerMetrics metrics = new ServerMetrics();

    /**
     * Binds to {@code address} (port 0: any free port) and starts serving.
     *
     * @param servedName the model name clients must send, and that answers carry
     * @throws IOException when the address cannot be bound
     */
    public ModelServer(LocalModel model, String servedName, InetSocketAddress address) throws IOException {
        this(model, servedName, address, null);
    }

    /**
     * As {@link #ModelServer(LocalModel, String, InetSocketAddress)}, answering only requests that carry
     * {@code Authorization: Bearer <apiKey>}.
     *
     * @param apiKey the key clients must send, or null for none
     * @throws IOException when the address cannot be bound
     */
    public ModelServer(LocalModel model, String servedName, InetSocketAddress address, String apiKey)
            throws IOException {
        if (servedName == null || servedName.isBlank()) {
            throw new IllegalArgumentException("servedName must not be blank");
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank; pass null to serve without one");
        }
        this.model = model;
        this.servedName = servedName;
        this.apiKey = apiKey == null ? null : ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create(address, 64);
        this.executor = Executors.newFixedThreadPool(16, runnable -> {
            Thread thread = new Thread(runnable, "model-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL clients use, such as {@code http://127.0.0.1:8000/v1}. */
    public URI baseUrl() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/v1");
    }

    /** The name clients must send in {@code model}. */
    public String servedName() {
        return servedName;
    }

    /** Stops taking requests, lets running ones finish for up to a second, and stops. The model stays open. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            try {
                if (path.equals("/health")) {
                    requireMethod(method, "GET");
                    send(exchange, 200, health());
                    return;
                }
                if (path.equals("/metrics")) {
                    requireMethod(method, "GET");
                    sendText(exchange, metrics.render(servedName, model));
                    return;
                }
                authorize(exchange);
                if (path.equals("/v1/models") || path.equals("/v1/models/")) {
                    requireMethod(method, "GET");
                    send(exchange, 200, models());
                } else if (path.equals("/v1/chat/completions")) {
                    requireMethod(method, "POST");
                    complete(exchange);
                } else {
                    throw new ApiError(404, "Invalid URL (" + method + " " + path + ")", "invalid_request_error",
                            null, "unknown_url");
                }
            } catch (ApiError e) {
                send(exchange, e.status(), e.body());
            }
        }
    }

    private void authorize(HttpExchange exchange) throws ApiError {
        if (apiKey == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            throw new ApiError(401, "You didn't provide an API key. Send it as 'Authorization: Bearer KEY'.",
                    "invalid_request_error", null, "missing_api_key");
        }
        if (!MessageDigest.isEqual(apiKey, header.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(401, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
        }
    }

    private static void requireMethod(String method, String allowed) throws ApiError {
        if (!method.equals(allowed)) {
            throw new ApiError(405, "Method " + method + " is not allowed here; use " + allowed,
                    "invalid_request_error", null, "method_not_allowed");
        }
    }

    private ObjectNode models() {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        root.putArray("data").addObject().put("id", servedName).put("object", "model").put("created", created)
                .put("owned_by", "patchwright").put("max_model_len", model.contextTokens());
        return root;
    }

    private void complete(HttpExchange exchange) throws IOException, ApiError {
        CompletionParams params = CompletionParams.parse(body(exchange), model.contextTokens());
        if (!params.model().equals(servedName)) {
            throw new ApiError(404, "The model `" + params.model() + "` does not exist; this server serves `"
                    + servedName + "`", "invalid_request_error", "model", "model_not_found");
        }
        String id = "chatcmpl-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        long now = Instant.now().getEpochSecond();
        if (!params.stream()) {
            LocalCompletion done = generate(params, null);
            send(exchange, 200, completion(id, now, done));
            return;
        }
        ChunkStream stream = new ChunkStream(exchange, id, now, servedName, params.request().n());
        try {
            LocalCompletion done = generate(params, stream);
            stream.finish(done, params.includeUsage());
        } catch (ApiError e) {
            if (!stream.started()) {
                throw e;
            }
            stream.fail(e);
        } catch (UncheckedIOException e) {
            // The client went away mid-stream; nothing is left to tell it.
        }
    }

    private LocalCompletion generate(CompletionParams params, ChunkStream stream) throws ApiError {
        metrics.started();
        LocalCompletion done = null;
        try {
            done = stream == null ? model.generate(params.request(), (sample, text) -> { })
                    : model.generate(params.request(), stream);
            return done;
        } catch (PromptTooLongException e) {
            throw new ApiError(413, "'messages' are too long: " + e.getMessage(), "invalid_request_error", "messages",
                    "context_length_exceeded");
        } catch (InferenceException e) {
            throw new ApiError(500, e.getMessage(), "server_error", null, null);
        } finally {
            metrics.finished(done);
        }
    }

    /** Up while it serves: the model's name, its context and the requests in the server. */
    private ObjectNode health() {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", "ok");
        root.put("model", servedName);
        root.put("max_model_len", model.contextTokens());
        root.put("requests_in_flight", metrics.inFlight());
        return root;
    }

    private ObjectNode completion(String id, long now, LocalCompletion done) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion");
        root.put("created", now);
        root.put("model", servedName);
        ArrayNode choices = root.putArray("choices");
        for (int i = 0; i < done.choices().size(); i++) {
            LocalCompletion.Choice choice = done.choices().get(i);
            ObjectNode node = choices.addObject();
            node.put("index", i);
            node.putObject("message").put("role", "assistant").put("content", choice.text());
            node.putNull("logprobs");
            node.put("finish_reason", choice.finish().wireName());
        }
        root.set("usage", usage(done.usage()));
        return root;
    }

    /** OpenAI's usage object, with the tokens the prefix cache served. */
    static ObjectNode usage(Usage usage) {
        ObjectNode node = JSON.createObjectNode();
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.promptTokens() + usage.completionTokens());
        node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedPromptTokens());
        return node;
    }

    private static String body(HttpExchange exchange) throws IOException, ApiError {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new ApiError(413, "the request body exceeds " + MAX_BODY_BYTES + " bytes",
                        "invalid_request_error", null, "request_too_large");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void sendText(HttpExchange exchange, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
