package dev.patchwright.inference.eval.hashhop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A loopback OpenAI-compatible {@code POST /v1/chat/completions} server for HashHop. {@link Mode#SOLVER} reads the
 * prompt and follows its chains ({@link HashHopOracle}); {@link Mode#RANDOM} answers each query with random
 * hashes in the asked format. Usage is counted with o200k_base the way OpenAI documents it for chat: the tokens
 * of each message's content plus 3 per message plus 3 for the reply's priming.
 */
final class HashHopModelServer implements AutoCloseable {

    enum Mode { SOLVER, RANDOM }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUERY = Pattern.compile("^[A-Za-z]+$");

    private final Mode mode;
    private final HttpServer server;
    private final Tokenizer tokenizer = Tokenizers.load("o200k_base");
    private final SplittableRandom random = new SplittableRandom(99);
    private final AtomicInteger calls = new AtomicInteger();

    HashHopModelServer(Mode mode) {
        this.mode = mode;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/chat/completions", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    int calls() {
        return calls.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            calls.incrementAndGet();
            StringBuilder prompt = new StringBuilder();
            long promptTokens = 3;
            for (JsonNode message : request.path("messages")) {
                prompt.append(message.path("content").asText());
                promptTokens += 3 + tokenizer.count(message.path("content").asText());
            }
            String answer = mode == Mode.SOLVER ? HashHopOracle.answer(prompt.toString()) : randomAnswer(prompt.toString());
            ObjectNode body = JSON.createObjectNode().put("id", "chatcmpl-hashhop-" + calls.get())
                    .put("object", "chat.completion").put("created", 0).put("model", request.path("model").asText());
            ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", answer);
            int completionTokens = tokenizer.count(answer);
            body.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    /** Each query answered in the asked layout with hashes of the right length drawn at random. */
    private String randomAnswer(String prompt) {
        boolean wholeChain = prompt.contains(HashHopPrompt.COT_MARKER);
        String queries = prompt.substring(prompt.indexOf(HashHopPrompt.QUERIES_HEADER) + HashHopPrompt.QUERIES_HEADER.length());
        StringBuilder answer = new StringBuilder();
        for (String line : queries.strip().split("\n")) {
            if (!QUERY.matcher(line.strip()).matches()) {
                continue;
            }
            answer.append(line.strip()).append(" = '");
            int hashes = wholeChain ? 2 : 1;
            for (int h = 0; h < hashes; h++) {
                answer.append(h == 0 ? "" : " = ").append(hash(line.strip().length()));
            }
            answer.append("'\n");
        }
        return answer.toString();
    }

    private String hash(int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int c = random.nextInt(52);
            sb.append((char) (c < 26 ? 'a' + c : 'A' + c - 26));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
