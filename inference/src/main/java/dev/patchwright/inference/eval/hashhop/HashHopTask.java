package dev.patchwright.inference.eval.hashhop;

import java.util.List;

/**
 * One generated HashHop prompt and its queries.
 *
 * @param lines the prompt's lines, {@code H_i = H_(i+1)}, the last link of each chain as {@code H_h = 'H_(h+1)'},
 *     all chains shuffled together
 * @param chains how many chains the lines hold
 * @param hops links per chain
 * @param variant what the queries ask for
 * @param queries the questions, by increasing depth
 * @param size the size asked for
 * @param measured the prompt's size in the unit of {@code size}
 */
public record HashHopTask(List<String> lines, int chains, int hops, Variant variant, List<HashHopQuery> queries,
        TaskSize size, long measured) {

    public HashHopTask {
        lines = List.copyOf(lines);
        queries = List.copyOf(queries);
    }

    /** The hash lines, joined by newlines: the context the model must read. */
    public String prompt() {
        return String.join("\n", lines);
    }

    /**
     * The answer in the original HashHop layout: {@code COMPLETION:\nHops={h}\n\nCoT={True|False}\n\n} then one
     * line {@code {query} = '{target}'} per query.
     */
    public String completion() {
        StringBuilder sb = new StringBuilder("COMPLETION:\nHops=").append(hops).append("\n\nCoT=")
                .append(variant == Variant.COT ? "True" : "False").append("\n\n");
        for (int i = 0; i < queries.size(); i++) {
            HashHopQuery q = queries.get(i);
            sb.append(i == 0 ? "" : "\n").append(q.query()).append(" = '").append(q.target()).append('\'');
        }
        return sb.toString();
    }
}
