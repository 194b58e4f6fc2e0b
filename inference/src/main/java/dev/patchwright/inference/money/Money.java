package dev.patchwright.inference.money;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An exact amount of US dollars, held as a whole number of micro-dollars (10<sup>-6</sup> USD). No floating point
 * touches it: amounts are parsed from text, added, subtracted and compared as longs, and every operation that
 * would overflow throws {@link ArithmeticException} instead of wrapping. Immutable.
 */
public final class Money implements Comparable<Money> {

    /** Micro-dollars in one dollar. */
    public static final long MICROS_PER_DOLLAR = 1_000_000L;

    /** No money. */
    public static final Money ZERO = new Money(0);

    private final long micros;

    private Money(long micros) {
        this.micros = micros;
    }

    /** An amount of {@code micros} micro-dollars (may be negative, e.g. an overdraft). */
    public static Money ofMicros(long micros) {
        return micros == 0 ? ZERO : new Money(micros);
    }

    /**
     * An exact decimal number of dollars.
     *
     * @throws IllegalArgumentException when it has more than six decimals (finer than a micro-dollar) or does not
     *     fit in a long of micro-dollars
     */
    public static Money ofDollars(BigDecimal dollars) {
        BigDecimal scaled = dollars.movePointRight(6);
        try {
            return ofMicros(scaled.setScale(0, RoundingMode.UNNECESSARY).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount $" + dollars.toPlainString()
                    + " is finer than a micro-dollar (at most 6 decimals) or too large");
        }
    }

    /**
     * Parses a non-negative amount of dollars written as {@code 5}, {@code $5}, {@code 0.25} or {@code $0.0123}
     * (surrounding spaces allowed, at most six decimals).
     *
     * @throws IllegalArgumentException naming the text when it is not such an amount
     */
    public static Money parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("amount must not be null; write dollars such as 5, $5 or 0.25");
        }
        String s = text.strip();
        if (s.startsWith("$")) {
            s = s.substring(1).strip();
        }
        if (!s.matches("[0-9]+(\\.[0-9]*)?|\\.[0-9]+")) {
            throw new IllegalArgumentException("'" + text + "' is not an amount of dollars; write for example 5, $5, "
                    + "0.25 or $0.0123");
        }
        return ofDollars(new BigDecimal(s));
    }

    /** This amount in micro-dollars. */
    public long micros() {
        return micros;
    }

    /** This amount in dollars, exactly (scale 6). */
    public BigDecimal toDollars() {
        return BigDecimal.valueOf(micros, 6);
    }

    /** @throws ArithmeticException on overflow */
    public Money plus(Money other) {
        return ofMicros(Math.addExact(micros, other.micros));
    }

    /** @throws ArithmeticException on overflow */
    public Money minus(Money other) {
        return ofMicros(Math.subtractExact(micros, other.micros));
    }

    /** This amount {@code factor} times. @throws ArithmeticException on overflow */
    public Money times(long factor) {
        return ofMicros(Math.multiplyExact(micros, factor));
    }

    public boolean isZero() {
        return micros == 0;
    }

    public boolean isNegative() {
        return micros < 0;
    }

    /** Whether this amount is strictly more than {@code other}. */
    public boolean exceeds(Money other) {
        return micros > other.micros;
    }

    /** The smaller of this and {@code other}. */
    public Money min(Money other) {
        return micros <= other.micros ? this : other;
    }

    @Override
    public int compareTo(Money other) {
        return Long.compare(micros, other.micros);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Money other && other.micros == micros;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(micros);
    }

    /** Dollars with at least two decimals and no trailing zeros beyond: {@code $5.00}, {@code $0.0123}, {@code -$0.50}. */
    @Override
    public String toString() {
        BigDecimal abs = BigDecimal.valueOf(micros, 6).abs().stripTrailingZeros();
        if (abs.scale() < 2) {
            abs = abs.setScale(2, RoundingMode.UNNECESSARY);
        }
        return (micros < 0 ? "-$" : "$") + abs.toPlainString();
    }
}
