package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;

import java.time.Duration;
import java.util.Objects;

/**
 * The spending limits one job runs under. Every model call and sandbox run is reserved against all of them at
 * once, and refused when any would be passed.
 *
 * @param repositoryMonthly   the most the repository may spend in one calendar month (UTC)
 * @param perIssue            the most one job (all its attempts) may spend
 * @param perIssueTime        the longest one job may run, from its first start, across attempts
 * @param installationMonthly the most all repositories of one GitHub App installation may spend in a month
 */
public record Limits(Money repositoryMonthly, Money perIssue, Duration perIssueTime, Money installationMonthly) {

    /** @throws IllegalArgumentException naming the limit that is missing, negative or not positive */
    public Limits {
        check(repositoryMonthly, "repository monthly limit");
        check(perIssue, "per-issue limit");
        check(installationMonthly, "installation monthly limit");
        if (perIssueTime == null || perIssueTime.isZero() || perIssueTime.isNegative()) {
            throw new IllegalArgumentException("the per-issue time limit must be positive, was " + perIssueTime);
        }
    }

    /** Limits that never refuse anything, for a run without a budget. */
    public static Limits unlimited() {
        Money most = Money.ofMicros(Long.MAX_VALUE / 4);
        return new Limits(most, most, Duration.ofDays(3650), most);
    }

    /** Each limit lowered to {@code lower}'s where that one is given: a repository may lower, never raise. */
    public Limits lowerTo(Money monthly, Money issue, Duration issueTime) {
        return new Limits(monthly == null ? repositoryMonthly : repositoryMonthly.min(monthly),
                issue == null ? perIssue : perIssue.min(issue),
                issueTime == null || issueTime.compareTo(perIssueTime) > 0 ? perIssueTime : issueTime,
                installationMonthly);
    }

    private static void check(Money value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException("the " + name + " must not be negative, was " + value);
        }
    }
}
