package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Budget;
import dev.patchwright.inference.money.Money;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link SpendGuard} held in memory, for a run without a database ({@code patchwright solve --budget}): one
 * limit, and the charges kept in a list for the report. Thread-safe.
 */
public final class MemorySpendGuard implements SpendGuard {

    private final Budget budget;
    private final Limits limits;
    private final List<Charge> charges = new ArrayList<>();

    /** A guard that refuses whatever would take spend past {@code limit}. */
    public MemorySpendGuard(Money limit) {
        this.budget = new Budget(limit);
        // One limit, the run's own: no month or installation to speak of.
        Limits none = Limits.unlimited();
        this.limits = new Limits(none.repositoryMonthly(), limit, none.perIssueTime(), none.installationMonthly());
    }

    /** A guard that never refuses, for a run without a budget: it still counts what is spent. */
    public static MemorySpendGuard unlimited() {
        return new MemorySpendGuard(Limits.unlimited().perIssue());
    }

    @Override
    public Hold reserve(SpendKind kind, Money worstCase) throws BudgetExceededException {
        Optional<Budget.Reservation> held = budget.reserve(worstCase);
        if (held.isEmpty()) {
            throw new BudgetExceededException("the budget", budget.limit(), budget.spent().plus(budget.reserved()),
                    worstCase);
        }
        Budget.Reservation reservation = held.get();
        return new Hold() {
            @Override
            public Money amount() {
                return worstCase;
            }

            @Override
            public void settle(Charge charge) {
                reservation.settle(charge.amount());
                synchronized (charges) {
                    charges.add(charge);
                }
            }

            @Override
            public void release() {
                reservation.release();
            }
        };
    }

    @Override
    public BudgetStatus status() {
        Money spent = budget.spent();
        Money held = budget.reserved();
        return new BudgetStatus(limits, spent, held, spent, held, spent, held);
    }

    /** Every charge settled so far, in order. */
    public List<Charge> charges() {
        synchronized (charges) {
            return List.copyOf(charges);
        }
    }
}
