package dev.patchwright.inference.model;

import java.util.List;

/**
 * One chat completion request.
 *
 * @param messages the conversation, at least one message; copied, so later changes to the caller's list do not leak in
 * @param maxTokens the most tokens each completion may generate, at least 1
 * @param temperature sampling temperature in [0, 2]; 0 is (near) greedy
 * @param n how many completions to sample from the same prompt, at least 1
 * @param seed sampling seed for backends that support reproducible sampling, or null for none
 */
public record ChatRequest(List<ChatMessage> messages, int maxTokens, double temperature, int n, Long seed) {

    /** @throws IllegalArgumentException naming the field that is out of range */
    public ChatRequest {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("messages must contain at least one message");
        }
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) == null) {
                throw new IllegalArgumentException("messages[" + i + "] must not be null");
            }
        }
        messages = List.copyOf(messages);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, was " + maxTokens);
        }
        if (!(temperature >= 0.0 && temperature <= 2.0)) {
            throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
    }
}
