package dev.patchwright.inference.model;

import java.time.Duration;
import java.util.List;

/**
 * The answer to one {@link ChatRequest}.
 *
 * @param model the model that answered, as the backend reports it (may differ from the name requested, e.g. a
 *     dated snapshot)
 * @param choices the generated texts, one per requested sample, in the backend's order
 * @param usage the tokens the call used
 * @param compute the accelerator (or CPU) time a local engine spent on the call, billed per GPU-hour;
 *     {@link Duration#ZERO} for a backend billed by tokens, such as an HTTP API
 */
public record Completion(String model, List<String> choices, Usage usage, Duration compute) {

    /** @throws IllegalArgumentException when a field is null or a choice is null */
    public Completion {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (choices == null) {
            throw new IllegalArgumentException("choices must not be null");
        }
        for (int i = 0; i < choices.size(); i++) {
            if (choices.get(i) == null) {
                throw new IllegalArgumentException("choices[" + i + "] must not be null");
            }
        }
        choices = List.copyOf(choices);
        if (usage == null) {
            throw new IllegalArgumentException("usage must not be null");
        }
        if (compute == null || compute.isNegative()) {
            throw new IllegalArgumentException("compute must be zero or positive, was " + compute);
        }
    }

    /** A completion billed by tokens alone: no compute time. */
    public Completion(String model, List<String> choices, Usage usage) {
        this(model, choices, usage, Duration.ZERO);
    }

    /** Shows the model, the number of choices and the usage; choice texts can be long. */
    @Override
    public String toString() {
        return "Completion[model=" + model + ", choices=" + choices.size() + ", usage=" + usage
                + (compute.isZero() ? "" : ", compute=" + compute) + "]";
    }
}
