package dev.patchwright.bot.api;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Reads the values of a budget change as people type them, for the REST API and the console alike, so both refuse
 * the same input with the same words; {@link BudgetLimits#setRepository} then checks them against the operator's
 * maximums. Every error names the field.
 */
public final class BudgetInput {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([hm])");

    private BudgetInput() {
    }

    /** {@code owner/repo}, or null when either part is not a GitHub name. */
    public static String repository(String owner, String repo) {
        return owner != null && repo != null && NAME.matcher(owner).matches() && NAME.matcher(repo).matches()
                ? owner + "/" + repo : null;
    }

    /**
     * Dollars such as {@code 50}, {@code 50.00} or {@code $50}; null or blank for the operator's default.
     *
     * @throws IllegalArgumentException naming {@code field} when the text is negative or not an amount
     */
    public static Money dollars(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (text.strip().startsWith("-")) {
            throw new IllegalArgumentException(field + " must not be negative, got " + text.strip());
        }
        try {
            return Money.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
    }

    /**
     * A duration such as {@code 30m}, {@code 1h} or {@code 1h30m}; null or blank for the operator's default.
     *
     * @throws IllegalArgumentException naming {@code field} when the text is not such a duration
     */
    public static Duration duration(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        if (!value.matches("(\\d{1,6}[hm])+")) {
            throw new IllegalArgumentException(field + " must be a duration such as \"30m\", \"1h\" or \"1h30m\", not \""
                    + value + "\"");
        }
        Duration total = Duration.ZERO;
        var matcher = DURATION.matcher(value);
        while (matcher.find()) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(matcher.group(2).equals("h") ? Duration.ofHours(amount) : Duration.ofMinutes(amount));
        }
        return total;
    }

    /** Dollars without the sign, as the API writes them: {@code 50.00}. */
    public static String plain(Money money) {
        return money.toString().substring(1);
    }
}
