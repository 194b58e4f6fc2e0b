package dev.patchwright.inference.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a {@code POST /v1/chat/completions} body this server reads, checked one by one so that a bad
 * request is refused with the name of the field that is wrong.
 *
 * @param model the model the client asked for
 * @param request the conversation and sampling settings
 * @param stream whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: end the stream with a usage chunk
 */
record CompletionParams(String model, ChatRequest request, boolean stream, boolean includeUsage) {

    /** The most samples one request may ask for. */
    static final int MAX_N = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param defaultMaxTokens the token limit of a request that sets none
     * @throws ApiError 400 naming the field that is missing, of the wrong type or out of range
     */
    static CompletionParams parse(String body, int defaultMaxTokens) throws ApiError {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw ApiError.invalid("model", "'model' is required: a string naming the model");
        }
        List<ChatMessage> messages = messages(root.get("messages"));
        int maxTokens = defaultMaxTokens;
        for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
            if (present(root, field)) {
                maxTokens = integer(root, field, 1, Integer.MAX_VALUE);
            }
        }
        double temperature = present(root, "temperature") ? number(root, "temperature", 0, 2, true) : 1.0;
        double topP = present(root, "top_p") ? number(root, "top_p", 0, 1, false) : ChatRequest.DEFAULT_TOP_P;
        int n = present(root, "n") ? integer(root, "n", 1, MAX_N) : 1;
        Long seed = null;
        if (present(root, "seed")) {
            if (!root.get("seed").canConvertToLong() || !root.get("seed").isIntegralNumber()) {
                throw ApiError.invalid("seed", "'seed' must be an integer");
            }
            seed = root.get("seed").asLong();
        }
        List<String> stop = stop(root.get("stop"));
        boolean stream = present(root, "stream") && bool(root, "stream");
        boolean includeUsage = false;
        JsonNode options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiError.invalid("stream_options", "'stream_options' must be an object");
            }
            if (!stream) {
                throw ApiError.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
            }
            includeUsage = present(options, "include_usage") && bool(options, "include_usage");
        }
        return new CompletionParams(model.asText(),
                new ChatRequest(messages, maxTokens, temperature, n, seed, topP, stop), stream, includeUsage);
    }

    private static List<ChatMessage> messages(JsonNode node) throws ApiError {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw ApiError.invalid("messages", "'messages' is required: a non-empty list of {role, content}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode message = node.get(i);
            String where = "messages[" + i + "]";
            ChatMessage.Role role = switch (message.path("role").asText("")) {
                case "system", "developer" -> ChatMessage.Role.SYSTEM;
                case "user" -> ChatMessage.Role.USER;
                case "assistant" -> ChatMessage.Role.ASSISTANT;
                default -> throw ApiError.invalid(where + ".role",
                        "'" + where + ".role' must be system, developer, user or assistant");
            };
            messages.add(new ChatMessage(role, content(message.get("content"), where + ".content")));
        }
        return messages;
    }

    /** A string, or a list of {@code {type: "text", text}} parts joined. */
    private static String content(JsonNode node, String where) throws ApiError {
        if (node != null && node.isTextual()) {
            return node.asText();
        }
        if (node != null && node.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : node) {
                if (!part.path("type").asText("").equals("text") || !part.path("text").isTextual()) {
                    throw ApiError.invalid(where, "'" + where + "' parts must be {\"type\": \"text\", \"text\": ...}");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiError.invalid(where, "'" + where + "' must be a string");
    }

    private static List<String> stop(JsonNode node) throws ApiError {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> stop = new ArrayList<>();
        if (node.isTextual()) {
            stop.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode s : node) {
                if (!s.isTextual()) {
                    throw ApiError.invalid("stop", "'stop' must be a string or a list of strings");
                }
                stop.add(s.asText());
            }
        } else {
            throw ApiError.invalid("stop", "'stop' must be a string or a list of strings");
        }
        if (stop.size() > ChatRequest.MAX_STOP) {
            throw ApiError.invalid("stop", "'stop' may hold at most " + ChatRequest.MAX_STOP + " strings, not " + stop.size());
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw ApiError.invalid("stop", "'stop' strings must not be empty");
        }
        return stop;
    }

    private static boolean present(JsonNode root, String field) {
        return root.has(field) && !root.get(field).isNull();
    }

    private static int integer(JsonNode root, String field, int min, int max) throws ApiError {
        JsonNode node = root.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw ApiError.invalid(field, "'" + field + "' must be an integer from " + min
                    + (max == Integer.MAX_VALUE ? " up" : " to " + max) + ", was " + node);
        }
        return node.asInt();
    }

    private static double number(JsonNode root, String field, double min, double max, boolean minIncluded)
            throws ApiError {
        JsonNode node = root.get(field);
        double value = node.asDouble();
        if (!node.isNumber() || !(minIncluded ? value >= min : value > min) || !(value <= max)) {
            throw ApiError.invalid(field, "'" + field + "' must be a number in " + (minIncluded ? "[" : "(") + min
                    + ", " + max + "], was " + node);
        }
        return value;
    }

    private static boolean bool(JsonNode root, String field) throws ApiError {
        if (!root.get(field).isBoolean()) {
            throw ApiError.invalid(field, "'" + field + "' must be true or false");
        }
        return root.get(field).asBoolean();
    }
}
