package dev.patchwright.inference.eval.hashhop;

import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import java.util.List;

/**
 * The outcome of one cell of the grid: one size, one number of hops, one variant, one model call.
 *
 * @param size the size asked for
 * @param hops links per chain
 * @param variant direct or chain of thought
 * @param status whether the cell ran
 * @param reason why it did not run or failed; empty when it ran
 * @param promptChars characters of the hash lines (0 when not generated)
 * @param promptTokens tokens of the whole message as the eval's tokenizer counts them (0 when not generated)
 * @param scores one per query when it ran, else empty
 * @param usage tokens the backend reported
 * @param cost money settled for the call
 * @param reserved the worst case reserved before the call (zero when none was made)
 */
public record CellResult(TaskSize size, int hops, Variant variant, Status status, String reason, long promptChars,
        long promptTokens, List<QueryScore> scores, Usage usage, Money cost, Money reserved) {

    /** Whether a cell ran. */
    public enum Status {
        /** The model answered and the answer was scored. */
        DONE,
        /** Not run: its worst-case cost did not fit in what was left of the budget. */
        SKIPPED_BUDGET,
        /** The task could not be generated or the model call failed. */
        FAILED;

        /** {@code done}, {@code skipped-budget} or {@code failed}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public CellResult {
        scores = List.copyOf(scores);
    }

    /** Queries whose final hash was exactly right. */
    public int correct() {
        return (int) scores.stream().filter(QueryScore::correct).count();
    }

    /** Queries whose whole chain was exactly right (for direct, the same as {@link #correct()}). */
    public int chainsCorrect() {
        return (int) scores.stream().filter(QueryScore::chainCorrect).count();
    }

    /** The share of queries with the right final hash, 0 to 1; 0 when the cell did not run. */
    public double accuracy() {
        return scores.isEmpty() ? 0 : correct() / (double) scores.size();
    }

    /** Chain of thought: the mean number of hops right before the first error; -1 for direct or not run. */
    public double meanHopsRight() {
        if (variant != Variant.COT || scores.isEmpty()) {
            return -1;
        }
        return scores.stream().mapToInt(QueryScore::hopsRight).average().orElse(0);
    }
}
