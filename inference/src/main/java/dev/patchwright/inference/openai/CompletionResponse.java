package dev.patchwright.inference.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Usage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;

/** Reads the body of an OpenAI-style chat completion answer, and the error object of a failed one. */
final class CompletionResponse {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EXCERPT_CHARS = 200;

    private CompletionResponse() {}

    /**
     * Parses a 2xx answer.
     *
     * @param requestedModel the name to report when the server does not say which model answered
     * @param target the endpoint, for messages
     * @param redact removes secrets from server-provided text before it goes into a message
     * @throws InferenceException (not retryable) when the body is not JSON, has no choices or a choice has no text
     */
    static Completion parse(String body, String requestedModel, String target, UnaryOperator<String> redact)
            throws InferenceException {
        JsonNode root = readJson(body);
        if (root == null) {
            throw invalid(target, "returned a non-JSON body: " + redact.apply(excerpt(body)));
        }
        if (!root.isObject()) {
            throw invalid(target, "returned JSON that is not a chat completion object: " + redact.apply(excerpt(body)));
        }
        JsonNode choicesNode = root.get("choices");
        if (choicesNode == null || !choicesNode.isArray()) {
            throw invalid(target, "returned a body without \"choices\": " + redact.apply(excerpt(body)));
        }
        if (choicesNode.isEmpty()) {
            throw invalid(target, "returned an empty \"choices\" list");
        }
        record Choice(long index, String content) {}
        List<Choice> choices = new ArrayList<>();
        for (int i = 0; i < choicesNode.size(); i++) {
            JsonNode choice = choicesNode.get(i);
            long index = choice.path("index").isIntegralNumber() ? choice.path("index").asLong() : i;
            JsonNode content = choice.path("message").path("content");
            if (!content.isTextual()) {
                String finish = choice.path("finish_reason").asText(null);
                throw invalid(target, "returned choice " + index + " without text in message.content"
                        + (finish == null ? "" : " (finish_reason: " + redact.apply(finish) + ")"));
            }
            choices.add(new Choice(index, content.asText()));
        }
        choices.sort(Comparator.comparingLong(Choice::index));
        String model = root.path("model").isTextual() ? root.path("model").asText() : requestedModel;
        return new Completion(model, choices.stream().map(Choice::content).toList(), usage(root.path("usage"), target));
    }

    /** The OpenAI-style {@code error.message} (or a plain string {@code error}) of a body, or null when it has none. */
    static String errorMessage(String body) {
        JsonNode root = readJson(body);
        if (root == null) {
            return null;
        }
        JsonNode error = root.path("error");
        if (error.isTextual()) {
            return error.asText();
        }
        JsonNode message = error.path("message");
        if (message.isTextual() && !message.asText().isBlank()) {
            return message.asText();
        }
        JsonNode detail = root.path("detail");
        return detail.isTextual() ? detail.asText() : null;
    }

    /** The first {@value #EXCERPT_CHARS} characters of a body, for messages. */
    static String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return "(empty)";
        }
        return body.length() <= EXCERPT_CHARS ? body : body.substring(0, EXCERPT_CHARS) + "...";
    }

    private static Usage usage(JsonNode usage, String target) throws InferenceException {
        long prompt = usage.path("prompt_tokens").asLong(0);
        long completion = usage.path("completion_tokens").asLong(0);
        long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        try {
            return new Usage(prompt, cached, completion);
        } catch (IllegalArgumentException e) {
            throw invalid(target, "reported impossible token usage: " + e.getMessage());
        }
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static InferenceException invalid(String target, String problem) {
        return new InferenceException("model server at " + target + " " + problem, false, null);
    }
}
