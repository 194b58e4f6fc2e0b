package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;

/**
 * Spend under each limit of a job at one moment: spent (settled) and held (reserved for steps in flight).
 *
 * @param limits              the limits
 * @param jobSpent            settled by this job
 * @param jobHeld             held by this job
 * @param repositorySpent     settled this month by the repository
 * @param repositoryHeld      held this month by the repository's jobs
 * @param installationSpent   settled this month by the installation
 * @param installationHeld    held this month by the installation's jobs
 */
public record BudgetStatus(Limits limits, Money jobSpent, Money jobHeld, Money repositorySpent, Money repositoryHeld,
                           Money installationSpent, Money installationHeld) {

    /** What one more step may still hold: the least that any limit leaves. */
    public Money available() {
        return left(limits.perIssue(), jobSpent, jobHeld)
                .min(left(limits.repositoryMonthly(), repositorySpent, repositoryHeld))
                .min(left(limits.installationMonthly(), installationSpent, installationHeld));
    }

    /** What the repository's monthly budget leaves. */
    public Money repositoryLeft() {
        return left(limits.repositoryMonthly(), repositorySpent, repositoryHeld);
    }

    /** What the job's own budget leaves. */
    public Money jobLeft() {
        return left(limits.perIssue(), jobSpent, jobHeld);
    }

    private static Money left(Money limit, Money spent, Money held) {
        Money left = limit.minus(spent).minus(held);
        return left.isNegative() ? Money.ZERO : left;
    }
}
