package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;

import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link SpendGuard} for one job, over {@link SpendLedger}. */
final class LedgerGuard implements SpendGuard {

    private final SpendLedger ledger;
    private final SpendLedger.Scope scope;

    LedgerGuard(SpendLedger ledger, SpendLedger.Scope scope) {
        this.ledger = ledger;
        this.scope = scope;
    }

    @Override
    public Hold reserve(SpendKind kind, Money worstCase) throws BudgetExceededException {
        long id = ledger.reserve(scope, kind, worstCase);
        AtomicBoolean closed = new AtomicBoolean();
        return new Hold() {
            @Override
            public Money amount() {
                return worstCase;
            }

            @Override
            public void settle(Charge charge) {
                if (closed.getAndSet(true)) {
                    throw new IllegalStateException("reservation " + id + " is already closed");
                }
                ledger.settle(id, charge);
            }

            @Override
            public void release() {
                if (closed.getAndSet(true)) {
                    throw new IllegalStateException("reservation " + id + " is already closed");
                }
                ledger.release(id);
            }
        };
    }

    @Override
    public BudgetStatus status() {
        return ledger.status(scope);
    }
}
