package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;

/**
 * Holds money for one step before it runs, and records what it really cost after. As long as each step's real
 * cost stays within what it held, spend never passes a limit, however many jobs and nodes share it: the hold is
 * taken atomically against every limit at once. Implementations are thread-safe.
 */
public interface SpendGuard {

    /**
     * Holds {@code worstCase} for one step.
     *
     * @param kind what the step buys
     * @throws BudgetExceededException when a limit would be passed; nothing is held then
     */
    Hold reserve(SpendKind kind, Money worstCase) throws BudgetExceededException;

    /** What is spent and left under each limit now, for quotes and reports. */
    BudgetStatus status();

    /** Money held for one step; {@linkplain #settle settled} or {@linkplain #release released} exactly once. */
    interface Hold {

        /** The worst case held. */
        Money amount();

        /**
         * Replaces the hold with the step's real cost and writes it down. A cost above the hold is still recorded
         * in full: spend is never under-counted.
         *
         * @throws IllegalStateException when already settled or released
         */
        void settle(Charge charge);

        /** Gives the hold back: the step did not run. @throws IllegalStateException when already closed */
        void release();
    }
}
