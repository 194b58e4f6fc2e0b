package dev.patchwright.inference.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Model} behind an OpenAI-compatible {@code POST /chat/completions} endpoint: OpenAI itself, vLLM,
 * llama.cpp's server, SGLang, or Patchwright's own {@code model-server}.
 *
 * <p>Retryable failures (HTTP 429, 500, 502, 503, 504, a refused connection, a timeout) are retried up to
 * {@link #maxRetries()} times, waiting as long as the server's {@code Retry-After} header asks (at most
 * {@value #MAX_RETRY_AFTER_SECONDS} s) or else a short exponential backoff. The API key is sent as a bearer token
 * and never appears in a message, a log line or {@link #toString()}. Instances are immutable and thread-safe.
 */
public final class OpenAiCompatibleModel implements Model {

    /** Retries after the first attempt, unless {@link #withMaxRetries(int)} says otherwise. */
    public static final int DEFAULT_MAX_RETRIES = 2;

    /** The longest wait a server's {@code Retry-After} header can impose, in seconds. */
    public static final long MAX_RETRY_AFTER_SECONDS = 30;

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 500, 502, 503, 504);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final HttpClient client;

    /**
     * A model at an OpenAI-compatible endpoint, with {@value #DEFAULT_MAX_RETRIES} retries.
     *
     * @param baseUrl the API root, such as {@code http://127.0.0.1:8000/v1} (a trailing slash is fine);
     *     requests go to {@code {baseUrl}/chat/completions}
     * @param apiKey the bearer token, or null to send no {@code Authorization} header (local servers)
     * @param model the model name sent in each request
     * @param requestTimeout the longest one attempt may take, from connecting to the last byte of the answer
     * @throws IllegalArgumentException when baseUrl is not an absolute http(s) URL, model is blank or the timeout
     *     is not positive
     */
    public OpenAiCompatibleModel(URI baseUrl, String apiKey, String model, Duration requestTimeout) {
        this(endpointOf(baseUrl), apiKey, model, requestTimeout, DEFAULT_MAX_RETRIES, null);
    }

    private OpenAiCompatibleModel(
            URI endpoint, String apiKey, String model, Duration requestTimeout, int maxRetries, HttpClient client) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must be null (no Authorization header) or non-blank");
        }
        this.endpoint = endpoint;
        this.apiKey = apiKey;
        this.model = model;
        this.requestTimeout = requestTimeout;
        this.maxRetries = maxRetries;
        this.client = client != null
                ? client
                : HttpClient.newBuilder()
                        .connectTimeout(requestTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
    }

    /**
     * A copy of this model that retries retryable failures up to {@code maxRetries} times (0: never retry).
     *
     * @throws IllegalArgumentException when maxRetries is negative
     */
    public OpenAiCompatibleModel withMaxRetries(int maxRetries) {
        return new OpenAiCompatibleModel(endpoint, apiKey, model, requestTimeout, maxRetries, client);
    }

    /** How many times a retryable failure is retried after the first attempt. */
    public int maxRetries() {
        return maxRetries;
    }

    /** The URL requests are posted to, {@code {baseUrl}/chat/completions}. */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String name() {
        return model;
    }

    /**
     * Posts the request, retrying retryable failures.
     *
     * @throws InferenceException naming the endpoint and the problem: an HTTP error status (with the server's
     *     {@code error.message}), a body that is not a chat completion, a timeout or a refused connection;
     *     {@link InferenceException#retryable()} tells whether the last failure was a retryable one
     */
    @Override
    public Completion complete(ChatRequest request) throws InferenceException {
        String body = requestBody(request);
        for (int attempt = 0; ; attempt++) {
            Attempt result = send(body);
            if (result.failure == null) {
                return CompletionResponse.parse(result.response.body(), model, target(), this::redact);
            }
            InferenceException failure = result.failure;
            if (!failure.retryable() || attempt >= maxRetries) {
                if (attempt == 0) {
                    throw failure;
                }
                throw new InferenceException(failure.getMessage() + " (gave up after " + (attempt + 1) + " attempts)",
                        failure.retryable(), failure.status().orElse(-1), failure.getCause());
            }
            pause(result.response, attempt, failure);
        }
    }

    /** Names the model and the endpoint; never the key. */
    @Override
    public String toString() {
        return "OpenAiCompatibleModel[model=" + model + ", endpoint=" + target() + ", auth="
                + (apiKey == null ? "none" : "bearer") + ", maxRetries=" + maxRetries + "]";
    }

    private String requestBody(ChatRequest request) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role().wireName()).put("content", message.content());
        }
        root.put("max_tokens", request.maxTokens());
        root.put("temperature", request.temperature());
        root.put("n", request.n());
        if (request.seed() != null) {
            root.put("seed", request.seed());
        }
        // Sent only when set, so servers that know neither field see the request they always saw.
        if (request.topP() != ChatRequest.DEFAULT_TOP_P) {
            root.put("top_p", request.topP());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = root.putArray("stop");
            request.stop().forEach(stop::add);
        }
        return root.toString();
    }

    private record Attempt(HttpResponse<String> response, InferenceException failure) {}

    private Attempt send(String body) throws InferenceException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        // The request timeout alone stops at the response headers; waiting on the future bounds the body too.
        CompletableFuture<HttpResponse<String>> future =
                client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = future.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Attempt(null, timedOut(e));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InferenceException("interrupted while waiting for the model server at " + target(), false, e);
        } catch (ExecutionException e) {
            return new Attempt(null, transportFailure(e.getCause()));
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return new Attempt(response, null);
        }
        return new Attempt(response, new InferenceException(
                statusMessage(status, response.body()), RETRYABLE_STATUSES.contains(status), status, null));
    }

    private InferenceException timedOut(Throwable cause) {
        return new InferenceException("model server at " + target() + " did not answer within "
                + requestTimeout.toMillis() + " ms", true, cause);
    }

    private InferenceException transportFailure(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return timedOut(cause);
        }
        if (cause instanceof ConnectException) {
            return new InferenceException("cannot connect to the model server at " + target()
                    + "; is it running and is the base URL right?", true, cause);
        }
        if (cause instanceof IOException) {
            // A connection reset or closed mid-answer is usually a server restarting or overloaded.
            return new InferenceException("connection to the model server at " + target() + " failed: "
                    + redact(String.valueOf(cause.getMessage())), true, cause);
        }
        return new InferenceException("request to the model server at " + target() + " failed: "
                + redact(String.valueOf(cause)), false, cause);
    }

    private String statusMessage(int status, String body) {
        StringBuilder message = new StringBuilder("model server at ").append(target())
                .append(" answered HTTP ").append(status);
        String detail = CompletionResponse.errorMessage(body);
        if (detail != null) {
            message.append(": ").append(redact(detail));
        } else if (body != null && !body.isBlank()) {
            message.append(": ").append(redact(CompletionResponse.excerpt(body)));
        }
        if (status == 401 || status == 403) {
            message.append(" (check the API key configured for model ").append(model).append(')');
        } else if (status == 404) {
            message.append(" (check the base URL and the model name ").append(model).append(')');
        }
        return message.toString();
    }

    private void pause(HttpResponse<String> response, int attempt, InferenceException failure)
            throws InferenceException {
        Duration wait = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempt, 6));
        if (response != null) {
            Duration asked = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null),
                    Duration.ofSeconds(MAX_RETRY_AFTER_SECONDS));
            if (asked != null) {
                wait = asked;
            }
        }
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException(failure.getMessage() + " (interrupted before retrying)", false,
                    failure.status().orElse(-1), e);
        }
    }

    /** The endpoint for messages: without any user-info a URL may carry. */
    private String target() {
        if (endpoint.getRawUserInfo() == null) {
            return endpoint.toString();
        }
        return endpoint.getScheme() + "://" + endpoint.getHost()
                + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort()) + endpoint.getRawPath();
    }

    /** Servers sometimes echo the key they rejected; it must not travel on in our messages. */
    private String redact(String text) {
        if (apiKey == null || text == null) {
            return text;
        }
        return text.replace(apiKey, "[redacted]");
    }

    private static URI endpointOf(URI baseUrl) {
        if (baseUrl == null || !baseUrl.isAbsolute() || baseUrl.getHost() == null
                || !("http".equalsIgnoreCase(baseUrl.getScheme()) || "https".equalsIgnoreCase(baseUrl.getScheme()))) {
            // A URL may carry user:password; show it only when it does not.
            String shown = baseUrl == null || baseUrl.getRawUserInfo() == null ? String.valueOf(baseUrl)
                    : "(a URL with credentials, not shown)";
            throw new IllegalArgumentException("baseUrl must be an absolute http or https URL such as "
                    + "http://127.0.0.1:8000/v1, was " + shown);
        }
        if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl must not have a query or fragment: " + baseUrl.getHost());
        }
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/chat/completions");
    }
}
