package dev.patchwright.bot.api;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.config.RepoBudget;

import java.time.Duration;
import java.time.Instant;

/**
 * One repository's budget as the REST API and the console show it: the limits that apply (and whether the operator
 * set each or it is the default), and what this month spent, holds and has left.
 *
 * @param month      {@code YYYY-MM}, UTC
 * @param held       reserved for calls in flight
 * @param left       the monthly limit less spent and held, never below zero
 * @param updatedBy  who last set a limit, or null
 */
public record BudgetView(String repository, Money monthly, Money perIssue, Duration perIssueTime, boolean monthlySet,
                         boolean perIssueSet, boolean perIssueTimeSet, String month, Money spent, Money held, Money left,
                         String updatedBy, Instant updatedAt) {

    /** Reads it now. */
    public static BudgetView read(String repository, BudgetLimits limits, SpendLedger ledger) {
        BudgetLimits.Override set = limits.repository(repository);
        Limits effective = limits.effective(repository, null, RepoBudget.NONE);
        SpendLedger.MonthSpend month = ledger.repositoryMonth(repository);
        Money left = effective.repositoryMonthly().minus(month.spent()).minus(month.held());
        return new BudgetView(repository, effective.repositoryMonthly(), effective.perIssue(),
                effective.perIssueTime(), set.monthly() != null, set.perIssue() != null, set.perIssueTime() != null,
                month.month(), month.spent(), month.held(), left.isNegative() ? Money.ZERO : left, set.updatedBy(),
                set.updatedAt());
    }

    /** The time limit as it is typed: {@code 1h}, {@code 90m}. */
    public String perIssueTimeText() {
        return BudgetLimits.minutes(perIssueTime);
    }

    /** Spent this month in percent of the monthly limit, at most 999. */
    public int percentSpent() {
        if (monthly.isZero()) {
            return spent.isZero() ? 0 : 999;
        }
        return (int) Math.min(999, Math.round(100.0 * spent.micros() / monthly.micros()));
    }
}
