package dev.patchwright.worker.budget;

import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;

import java.time.Duration;
import java.util.Objects;

/**
 * What one model call or sandbox run really cost, as it is written in the ledger.
 *
 * @param kind    what was bought
 * @param model   the model that answered, or null for a sandbox run
 * @param usage   tokens used ({@link Usage#ZERO} for a sandbox run)
 * @param compute CPU time of a sandbox run, GPU time of a local engine call, zero for a token-billed call
 * @param price   the price applied, as people read it ("input $2.00/M, cached $0.50/M, output $8.00/M")
 * @param amount  the cost, exact
 */
public record Charge(SpendKind kind, String model, Usage usage, Duration compute, String price, Money amount) {

    /** @throws IllegalArgumentException when a field is missing or the amount or compute time is negative */
    public Charge {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(price, "price");
        if (compute == null || compute.isNegative()) {
            throw new IllegalArgumentException("compute must be zero or positive, was " + compute);
        }
        if (amount == null || amount.isNegative()) {
            throw new IllegalArgumentException("amount must be zero or positive, was " + amount);
        }
    }

    /** Nothing spent: a call that failed before the backend did any work. */
    public static Charge nothing(SpendKind kind, String price) {
        return new Charge(kind, null, Usage.ZERO, Duration.ZERO, price, Money.ZERO);
    }
}
