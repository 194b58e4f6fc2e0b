package dev.patchwright.inference.money;

import java.util.Optional;

/**
 * A spending limit held in memory: every model call first {@linkplain #reserve reserves} its worst-case cost,
 * and is made only when the reservation fits in what is left; afterwards the reservation is
 * {@linkplain Reservation#settle settled} with the real cost (or {@linkplain Reservation#release released} when
 * the call failed). As long as each real cost stays within its reservation, spent money never exceeds the limit,
 * whatever number of threads share the budget. Thread-safe.
 */
public final class Budget {

    private final Money limit;
    private Money spent = Money.ZERO;
    private Money reserved = Money.ZERO;

    /** @throws IllegalArgumentException when limit is negative */
    public Budget(Money limit) {
        if (limit.isNegative()) {
            throw new IllegalArgumentException("a budget must not be negative, was " + limit);
        }
        this.limit = limit;
    }

    /** The most that may be spent. */
    public Money limit() {
        return limit;
    }

    /** Money settled so far. */
    public synchronized Money spent() {
        return spent;
    }

    /** Money held by reservations not yet settled. */
    public synchronized Money reserved() {
        return reserved;
    }

    /** What a new reservation may still take: the limit less what is spent and reserved (zero when over). */
    public synchronized Money available() {
        Money left = limit.minus(spent).minus(reserved);
        return left.isNegative() ? Money.ZERO : left;
    }

    /**
     * Holds {@code worstCase} for one call, if it fits in what is {@linkplain #available() available}.
     *
     * @return the reservation, or empty when it does not fit (then nothing is held and the call must not be made)
     * @throws IllegalArgumentException when worstCase is negative
     */
    public synchronized Optional<Reservation> reserve(Money worstCase) {
        if (worstCase.isNegative()) {
            throw new IllegalArgumentException("a reservation must not be negative, was " + worstCase);
        }
        if (worstCase.exceeds(available())) {
            return Optional.empty();
        }
        reserved = reserved.plus(worstCase);
        return Optional.of(new Reservation(worstCase));
    }

    private synchronized void close(Money held, Money actual) {
        reserved = reserved.minus(held);
        spent = spent.plus(actual);
    }

    /** Money held for one call; settled or released exactly once. */
    public final class Reservation {

        private final Money amount;
        private boolean closed;

        private Reservation(Money amount) {
            this.amount = amount;
        }

        /** The worst-case cost held. */
        public Money amount() {
            return amount;
        }

        /**
         * Replaces the hold with the real cost. A cost above the reservation is still recorded in full (spend is
         * never under-counted), and {@link #amount()} tells the caller by how much its estimate was off.
         *
         * @throws IllegalStateException when already settled or released
         * @throws IllegalArgumentException when actual is negative
         */
        public void settle(Money actual) {
            if (actual.isNegative()) {
                throw new IllegalArgumentException("a cost must not be negative, was " + actual);
            }
            finish();
            close(amount, actual);
        }

        /**
         * Gives the hold back without spending: the call was not made, or failed before the backend did any work.
         *
         * @throws IllegalStateException when already settled or released
         */
        public void release() {
            finish();
            close(amount, Money.ZERO);
        }

        private synchronized void finish() {
            if (closed) {
                throw new IllegalStateException("reservation of " + amount + " is already settled or released");
            }
            closed = true;
        }
    }

    @Override
    public synchronized String toString() {
        return "Budget[limit=" + limit + ", spent=" + spent + ", reserved=" + reserved + "]";
    }
}
