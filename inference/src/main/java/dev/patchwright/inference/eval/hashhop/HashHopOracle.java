package dev.patchwright.inference.eval.hashhop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers a HashHop prompt perfectly by reading it: collects every {@code A = B} line, then follows the links
 * from each query to the quoted end. What a model with a flawless long context would write; tests and
 * stand-in servers use it to check the harness end to end.
 */
public final class HashHopOracle {

    private static final Pattern LINK = Pattern.compile("^([A-Za-z]+) = ('?)([A-Za-z]+)\\2$");

    private HashHopOracle() {
    }

    /**
     * The answer to an instruction-style prompt ({@link HashHopPrompt#text}), one {@code QUERY = '...'} line per
     * query, the whole chain when the prompt asks for every string along the way.
     *
     * @throws IllegalArgumentException when the prompt has no queries, or a query's links break off before a
     *     quoted end
     */
    public static String answer(String prompt) {
        Map<String, String> next = new HashMap<>();
        Map<String, Boolean> ends = new HashMap<>();
        List<String> queries = new ArrayList<>();
        boolean inQueries = false;
        for (String line : prompt.split("\n")) {
            String s = line.strip();
            if (inQueries) {
                if (!s.isEmpty()) {
                    queries.add(s);
                }
                continue;
            }
            if (s.equals(HashHopPrompt.QUERIES_HEADER)) {
                inQueries = true;
                continue;
            }
            Matcher m = LINK.matcher(s);
            if (m.matches()) {
                next.put(m.group(1), m.group(3));
                ends.put(m.group(1), !m.group(2).isEmpty());
            }
        }
        if (queries.isEmpty()) {
            throw new IllegalArgumentException("the prompt has no '" + HashHopPrompt.QUERIES_HEADER + "' section");
        }
        boolean wholeChain = prompt.contains(HashHopPrompt.COT_MARKER);
        StringBuilder answer = new StringBuilder();
        for (String query : queries) {
            List<String> hops = new ArrayList<>();
            String at = query;
            while (true) {
                String to = next.get(at);
                if (to == null || hops.size() > next.size()) {
                    throw new IllegalArgumentException("the links from " + query + " break off at " + at);
                }
                hops.add(to);
                if (ends.get(at)) {
                    break;
                }
                at = to;
            }
            answer.append(query).append(" = '")
                    .append(wholeChain ? String.join(" = ", hops) : hops.get(hops.size() - 1)).append("'\n");
        }
        return answer.toString();
    }
}
