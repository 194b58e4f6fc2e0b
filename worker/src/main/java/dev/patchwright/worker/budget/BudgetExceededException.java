package dev.patchwright.worker.budget;

import dev.patchwright.inference.money.Money;

/**
 * A reservation was refused: paying its worst case would pass a limit. Nothing was held; the call must not be
 * made. The message gives the numbers, for the status comment.
 */
public final class BudgetExceededException extends Exception {

    private final String limitName;
    private final Money limit;
    private final Money used;
    private final Money asked;

    /**
     * @param limitName which limit, in words ("this repository's monthly budget")
     * @param limit     the limit
     * @param used      spent plus reserved under it so far
     * @param asked     the worst case of the refused reservation
     */
    public BudgetExceededException(String limitName, Money limit, Money used, Money asked) {
        super(limitName + " of " + limit + " has " + left(limit, used) + " left (" + used
                + " spent or held), less than the " + asked + " the next step may cost");
        this.limitName = limitName;
        this.limit = limit;
        this.used = used;
        this.asked = asked;
    }

    private static Money left(Money limit, Money used) {
        Money left = limit.minus(used);
        return left.isNegative() ? Money.ZERO : left;
    }

    public String limitName() {
        return limitName;
    }

    public Money limit() {
        return limit;
    }

    /** Spent plus reserved under the limit when the reservation was refused. */
    public Money used() {
        return used;
    }

    /** The refused reservation's worst case. */
    public Money asked() {
        return asked;
    }
}
