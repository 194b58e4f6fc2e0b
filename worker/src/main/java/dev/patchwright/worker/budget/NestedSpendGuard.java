package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;

/**
 * A limit inside another: a step is held against both, so one case of a backtest never passes its own budget and all
 * cases together never pass the run's. Thread-safe as its two guards are.
 */
public final class NestedSpendGuard implements SpendGuard {

    private final SpendGuard outer;
    private final MemorySpendGuard inner;

    public NestedSpendGuard(SpendGuard outer, Money limit) {
        this.outer = outer;
        this.inner = new MemorySpendGuard(limit);
    }

    @Override
    public Hold reserve(SpendKind kind, Money worstCase) throws BudgetExceededException {
        Hold own = inner.reserve(kind, worstCase);
        Hold shared;
        try {
            shared = outer.reserve(kind, worstCase);
        } catch (BudgetExceededException e) {
            own.release();
            throw e;
        }
        return new Hold() {
            @Override
            public Money amount() {
                return worstCase;
            }

            @Override
            public void settle(Charge charge) {
                own.settle(charge);
                shared.settle(charge);
            }

            @Override
            public void release() {
                own.release();
                shared.release();
            }
        };
    }

    /** This limit's status: what this part spent and has left. */
    @Override
    public BudgetStatus status() {
        return inner.status();
    }
}
