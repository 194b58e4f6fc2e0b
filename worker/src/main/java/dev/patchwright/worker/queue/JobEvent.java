package dev.patchwright.worker.queue;

import java.time.Instant;

/**
 * One line of a job's history.
 *
 * @param at      when it happened (database time)
 * @param kind    a short machine word: {@code queued}, {@code claimed}, {@code fetch}, ...
 * @param message what happened, for people
 */
public record JobEvent(Instant at, String kind, String message) {

    /** {@code kind: message}, as the dashboard shows it. */
    public String line() {
        return kind + ": " + message;
    }
}
