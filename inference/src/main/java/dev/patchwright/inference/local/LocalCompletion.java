package dev.patchwright.inference.local;

import dev.patchwright.inference.model.Usage;
import java.time.Duration;
import java.util.List;

/**
 * What {@link LocalModel#generate} produced.
 *
 * @param choices one per sample, in order
 * @param usage prompt tokens (with those served from the prefix cache) and tokens sampled over all samples
 * @param compute the time the engine spent on the call, prompt and generation together
 */
public record LocalCompletion(List<Choice> choices, Usage usage, Duration compute) {

    public LocalCompletion {
        choices = List.copyOf(choices);
    }

    /** Why a sample ended. */
    public enum FinishReason {
        /** An end-of-turn token or a stop string. */
        STOP("stop"),
        /** The token limit (the request's, or the model's context). */
        LENGTH("length");

        private final String wireName;

        FinishReason(String wireName) {
            this.wireName = wireName;
        }

        /** The name OpenAI's API gives it: {@code stop} or {@code length}. */
        public String wireName() {
            return wireName;
        }
    }

    /**
     * One sample.
     *
     * @param text the decoded text, cut before a stop string
     * @param tokens tokens sampled for it, the stop token included
     * @param finish why it ended
     */
    public record Choice(String text, int tokens, FinishReason finish) {
    }
}
