package dev.patchwright.inference.eval.hashhop;

import dev.patchwright.inference.model.ChatMessage;
import java.util.List;

/**
 * The instruction-style prompt for chat models: what the lines mean, the hash lines, what to answer, the queries.
 * One user message holds all of it, so that every query of a task is asked in one call, as in the original.
 */
public final class HashHopPrompt {

    /** The line after which the queries follow, one per line. */
    public static final String QUERIES_HEADER = "Queries:";

    /** Words that only the chain-of-thought instruction contains. */
    static final String COT_MARKER = "every string along the way";

    private HashHopPrompt() {
    }

    /** The messages that ask a chat model the task's queries. */
    public static List<ChatMessage> messages(HashHopTask task) {
        return List.of(ChatMessage.user(text(task)));
    }

    /** The text of the single user message. */
    public static String text(HashHopTask task) {
        StringBuilder sb = new StringBuilder();
        sb.append("Below are lines that link random strings: a line `A = B` means that A leads to B. Starting from "
                + "any string and following the links, hop by hop, you always end at a string written in single "
                + "quotes.\n\n");
        sb.append(task.prompt()).append("\n\n");
        if (task.variant() == Variant.DIRECT) {
            sb.append("For each query string below, follow its links to the end and answer with one line\n"
                    + "QUERY = 'FINAL'\n"
                    + "where FINAL is the quoted string the links end at.");
        } else {
            sb.append("For each query string below, follow its links to the end and answer with one line that "
                    + "lists " + COT_MARKER + ", in order:\n"
                    + "QUERY = 'SECOND = THIRD = ... = FINAL'\n"
                    + "where FINAL is the quoted string the links end at.");
        }
        sb.append(" Answer nothing but these lines, one per query, in the order given.\n\n")
                .append(QUERIES_HEADER).append('\n');
        for (HashHopQuery q : task.queries()) {
            sb.append(q.query()).append('\n');
        }
        return sb.toString();
    }
}
