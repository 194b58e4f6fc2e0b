package dev.patchwright.worker.solve;

import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetStatus;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendMeter;

import java.time.Duration;
import java.util.Locale;

/**
 * What a job expects to spend, said before its first model call: the packed prompt's tokens at the model's input
 * price for every planned candidate, the worst case (every answer at its token limit, every test run at its time
 * limit), and what the budget leaves. When what is left cannot pay for one candidate's worst case, the job stops
 * there, without calling the model.
 *
 * @param candidates    candidates planned
 * @param promptTokens  the prompt's tokens as Patchwright counts them (o200k_base)
 * @param expected      prompt tokens × input price × candidates
 * @param perCandidate  the worst case of one candidate: its model call and its test run
 * @param status        the budget when the quote was made
 * @param price         the model's price, as people read it
 */
public record Quote(int candidates, long promptTokens, Money expected, Money perCandidate, BudgetStatus status,
                    String price) {

    /** Quotes {@code candidates} candidates of {@code first}'s size, each tested under {@code testLimit}. */
    public static Quote of(SpendMeter meter, ChatRequest first, long promptTokens, int candidates, Duration testLimit) {
        Money expected = meter.modelPrice().cost(new Usage(promptTokens, 0, 0)).times(candidates);
        Money perCandidate = meter.worstCase(first).plus(meter.worstCase(testLimit));
        return new Quote(candidates, promptTokens, expected, perCandidate, meter.guard().status(),
                meter.modelPrice().toString());
    }

    /** Whether what the budget leaves pays for one candidate at its worst. */
    public boolean affordable() {
        return !perCandidate.exceeds(status.available());
    }

    /** The most the planned candidates may cost together. */
    public Money worstCase() {
        return perCandidate.times(candidates);
    }

    /** One paragraph for the status comment and the report. */
    public String text() {
        return String.format(Locale.ROOT, "**Quote:** %d candidate%s × %,d prompt tokens at %s ≈ %s; at most %s "
                        + "if every answer reaches its token limit and every test run its time limit. %s",
                candidates, candidates == 1 ? "" : "s", promptTokens, price, expected, worstCase(), left());
    }

    /** Why the job stops before its first model call, with the numbers. */
    public String refusal() {
        return String.format(Locale.ROOT, "the remaining budget cannot pay for one candidate: at its worst one "
                + "costs %s (model call and test run), and only %s is left. %s", perCandidate, status.available(),
                left());
    }

    private String left() {
        Limits none = Limits.unlimited();
        String issue = status.limits().perIssue().equals(none.perIssue()) ? "no limit for this issue"
                : status.jobLeft() + " of " + status.limits().perIssue() + " for this issue";
        String month = status.limits().repositoryMonthly().equals(none.repositoryMonthly()) ? ""
                : ", " + status.repositoryLeft() + " of " + status.limits().repositoryMonthly()
                + " for this repository this month";
        return "Budget left: " + issue + month + ".";
    }
}
