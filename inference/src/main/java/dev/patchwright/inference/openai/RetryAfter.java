package dev.patchwright.inference.openai;

import java.time.Duration;

/** Reads the delay-seconds form of an HTTP {@code Retry-After} header (RFC 9110 section 10.2.3). */
final class RetryAfter {

    private RetryAfter() {}

    /**
     * The wait a {@code Retry-After} value asks for, capped at {@code max}, or null when the value is absent or
     * not a number of seconds (the HTTP-date form is left to the caller's own backoff).
     */
    static Duration parse(String value, Duration max) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        if (trimmed.isEmpty() || trimmed.length() > 10 || !trimmed.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        Duration asked = Duration.ofSeconds(Long.parseLong(trimmed));
        return asked.compareTo(max) > 0 ? max : asked;
    }
}
