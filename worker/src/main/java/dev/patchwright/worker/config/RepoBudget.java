package dev.patchwright.worker.config;

import dev.patchwright.inference.money.Money;

import java.time.Duration;

/**
 * The {@code budget:} of a repository's {@code patchwright.yml}: limits it lowers below the operator's, never
 * above. Each is null when the file does not give it.
 *
 * <pre>
 * budget:
 *   monthly: 20          # dollars per calendar month for this repository
 *   per-issue: 2.50      # dollars per issue
 *   per-issue-time: 30m  # wall-clock time per issue
 * </pre>
 *
 * @param monthly      the repository's monthly limit, or null
 * @param perIssue     the limit of one issue, or null
 * @param perIssueTime the time limit of one issue, or null
 */
public record RepoBudget(Money monthly, Money perIssue, Duration perIssueTime) {

    /** No budget given: the operator's limits apply as they are. */
    public static final RepoBudget NONE = new RepoBudget(null, null, null);
}
