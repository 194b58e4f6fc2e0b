package dev.patchwright.inference.eval.hashhop;

import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import java.util.List;

/**
 * A whole HashHop run: its settings and every cell, run or not.
 *
 * @param model the model's name
 * @param settings the grid and knobs it ran with
 * @param price what the model was charged at
 * @param budget the money limit
 * @param cells one per size × hops × variant, in grid order
 */
public record EvalResults(String model, HashHopEval.Settings settings, Price price, Money budget, List<CellResult> cells) {

    public EvalResults {
        cells = List.copyOf(cells);
    }

    /** Money settled over all cells. */
    public Money spent() {
        return cells.stream().map(CellResult::cost).reduce(Money.ZERO, Money::plus);
    }

    /** Tokens reported over all cells. */
    public Usage usage() {
        return cells.stream().map(CellResult::usage).reduce(Usage.ZERO, Usage::plus);
    }

    /** The cells that ran. */
    public List<CellResult> done() {
        return cells.stream().filter(c -> c.status() == CellResult.Status.DONE).toList();
    }
}
