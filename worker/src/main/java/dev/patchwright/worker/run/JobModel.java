package dev.patchwright.worker.run;

import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.money.Price;

/**
 * The model every job uses and its price, or why jobs cannot run: no model configured, a local model that cannot
 * be loaded, or a model without a price (a budget cannot hold what it cannot price).
 *
 * @param model   the model, or null
 * @param price   its price, or null
 * @param problem why there is no usable model, or null
 */
public record JobModel(Model model, Price price, String problem) {

    /** A model with its price. */
    public static JobModel of(Model model, Price price) {
        return new JobModel(model, price, null);
    }

    /** No usable model, and why. */
    public static JobModel unusable(String problem) {
        return new JobModel(null, null, problem);
    }

    /** Whether jobs can run. */
    public boolean usable() {
        return model != null && price != null;
    }
}
