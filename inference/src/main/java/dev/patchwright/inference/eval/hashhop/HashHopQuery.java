package dev.patchwright.inference.eval.hashhop;

import java.util.List;

/**
 * One question of a HashHop task: start at {@code query}, follow the links.
 *
 * @param query the chain's first hash, H1
 * @param target the expected answer: the last hash (direct) or {@code H2 = H3 = ... = Hlast} (chain of thought)
 * @param chain the whole chain H1 ... H(hops+1)
 * @param depth where the chain's first link starts in the prompt, as a fraction of its characters, 0 (top) to 1
 */
public record HashHopQuery(String query, String target, List<String> chain, double depth) {

    public HashHopQuery {
        chain = List.copyOf(chain);
    }

    /** The hash the chain ends at. */
    public String last() {
        return chain.get(chain.size() - 1);
    }

    /** The hashes an answer in chain of thought lists: every one after the query. */
    public List<String> hopsAfterQuery() {
        return chain.subList(1, chain.size());
    }
}
