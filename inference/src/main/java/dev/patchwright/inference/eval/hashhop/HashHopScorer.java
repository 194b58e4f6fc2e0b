package dev.patchwright.inference.eval.hashhop;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a model's answer to a HashHop task by exact match. Answers are read leniently: for each query, the last
 * line where the query is followed by {@code =} counts; around each hash, quotes, backticks, asterisks and spaces
 * are skipped; hashes joined by {@code =} (or {@code ->}) form a chain; whatever follows the chain (an
 * explanation) is ignored. A hash itself is never matched approximately.
 */
public final class HashHopScorer {

    private HashHopScorer() {
    }

    /** One score per query of {@code task}, in the task's order. */
    public static List<QueryScore> score(HashHopTask task, String answer) {
        String[] lines = answer == null ? new String[0] : answer.split("\\R");
        List<QueryScore> scores = new ArrayList<>();
        for (HashHopQuery q : task.queries()) {
            List<String> said = null;
            for (String line : lines) {
                List<String> chain = chainAfter(line, q.query());
                if (chain != null) {
                    said = chain;
                }
            }
            scores.add(score(task.variant(), q, said));
        }
        return scores;
    }

    private static QueryScore score(Variant variant, HashHopQuery q, List<String> said) {
        if (said == null) {
            return new QueryScore(q.query(), q.target(), null, false, false, variant == Variant.COT ? 0 : -1,
                    q.depth());
        }
        boolean correct = said.get(said.size() - 1).equals(q.last());
        if (variant == Variant.DIRECT) {
            return new QueryScore(q.query(), q.target(), said.get(said.size() - 1), correct, correct, -1, q.depth());
        }
        List<String> expected = q.hopsAfterQuery();
        int right = 0;
        while (right < said.size() && right < expected.size() && said.get(right).equals(expected.get(right))) {
            right++;
        }
        return new QueryScore(q.query(), q.target(), String.join(" = ", said), correct, said.equals(expected), right,
                q.depth());
    }

    /** The hashes this line gives for {@code query}, or null when it answers no such query. */
    static List<String> chainAfter(String line, String query) {
        int from = 0;
        List<String> found = null;
        while (true) {
            int at = line.indexOf(query, from);
            if (at < 0) {
                return found;
            }
            from = at + 1;
            int end = at + query.length();
            if ((at > 0 && isLetter(line.charAt(at - 1))) || (end < line.length() && isLetter(line.charAt(end)))) {
                continue;
            }
            int i = skipDecoration(line, end);
            int joint = joint(line, i);
            if (joint == 0) {
                continue;
            }
            List<String> chain = new ArrayList<>();
            i += joint;
            while (true) {
                i = skipDecoration(line, i);
                int start = i;
                while (i < line.length() && isLetter(line.charAt(i))) {
                    i++;
                }
                if (i == start) {
                    break;
                }
                chain.add(line.substring(start, i));
                i = skipDecoration(line, i);
                joint = joint(line, i);
                if (joint == 0) {
                    break;
                }
                i += joint;
            }
            if (!chain.isEmpty()) {
                found = chain;
            }
        }
    }

    /** The length of a link sign at i: {@code =}, {@code ->} or {@code →}; 0 for none. */
    private static int joint(String line, int i) {
        if (line.startsWith("->", i)) {
            return 2;
        }
        return i < line.length() && (line.charAt(i) == '=' || line.charAt(i) == '→') ? 1 : 0;
    }

    private static int skipDecoration(String line, int i) {
        while (i < line.length() && " \t'\"`*".indexOf(line.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
