package dev.patchwright.inference.eval.hashhop;

/**
 * How one query was answered.
 *
 * @param query the chain's first hash
 * @param target the expected answer ({@link HashHopQuery#target()})
 * @param answer what the model answered, as parsed: the final hash (direct) or the hashes joined by
 *     {@code " = "} (chain of thought); null when no answer to this query was found
 * @param correct whether the final hash is exactly right
 * @param chainCorrect chain of thought: whether the whole chain is exactly right; direct: same as correct
 * @param hopsRight chain of thought: how many hashes were right before the first wrong or missing one; direct: -1
 * @param depth where the chain's first link starts in the prompt, 0 to 1
 */
public record QueryScore(String query, String target, String answer, boolean correct, boolean chainCorrect,
        int hopsRight, double depth) {
}
