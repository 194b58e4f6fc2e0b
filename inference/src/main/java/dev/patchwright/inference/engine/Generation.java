package dev.patchwright.inference.engine;

import java.util.List;

/**
 * The samples of one prompt, with what they cost.
 *
 * @param samples one per requested sample, in order
 * @param promptTokens tokens of the prompt, processed once for all samples
 * @param generatedTokens tokens sampled over all samples, stop tokens included
 * @param promptSeconds wall time of processing the prompt
 * @param decodeSeconds wall time of generating, after the prompt
 */
public record Generation(List<Sample> samples, int promptTokens, int generatedTokens, double promptSeconds,
        double decodeSeconds) {

    public Generation {
        samples = List.copyOf(samples);
    }
}
