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
 * @param topP nucleus sampling: sample only from the most likely tokens whose probabilities sum to this, in (0, 1];
 *     {@value #DEFAULT_TOP_P} (the default) samples from the whole distribution
 * @param stop at most {@value #MAX_STOP} non-empty strings; a completion ends before the first one it would contain
 *     (the stop string itself is not part of the text); empty for none
 */
public record ChatRequest(List<ChatMessage> messages, int maxTokens, double temperature, int n, Long seed, double topP,
        List<String> stop) {

    /** The {@code topP} of a request that does not set one: the whole distribution. */
    public static final double DEFAULT_TOP_P = 1.0;

    /** The most stop strings one request may carry, as OpenAI's API allows. */
    public static final int MAX_STOP = 4;

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
        if (!(topP > 0.0 && topP <= 1.0)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        if (stop == null) {
            throw new IllegalArgumentException("stop must not be null; use an empty list for none");
        }
        if (stop.size() > MAX_STOP) {
            throw new IllegalArgumentException("stop may hold at most " + MAX_STOP + " strings, was " + stop.size());
        }
        for (int i = 0; i < stop.size(); i++) {
            if (stop.get(i) == null || stop.get(i).isEmpty()) {
                throw new IllegalArgumentException("stop[" + i + "] must be a non-empty string");
            }
        }
        stop = List.copyOf(stop);
    }

    /** A request that samples from the whole distribution ({@code topP} 1) with no stop strings. */
    public ChatRequest(List<ChatMessage> messages, int maxTokens, double temperature, int n, Long seed) {
        this(messages, maxTokens, temperature, n, seed, DEFAULT_TOP_P, List.of());
    }
}
