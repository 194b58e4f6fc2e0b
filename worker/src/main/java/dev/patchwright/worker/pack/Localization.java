package dev.patchwright.worker.pack;

import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The localisation step, in the Agentless manner, for a repository that does not fit the window:
 * one cheap model call is shown the file map (paths and declarations) and the issue, and asked
 * which files to open; those are then packed whole ({@link PackOptions#withFocus}), with their tests,
 * and the rest mapped. This class builds that request and reads its answer; the caller pays for the
 * call.
 *
 * <p>The answer format is small and strict: one repository-relative path a line, nothing else, at
 * most {@link #MAX_FILES}. An answer is read leniently all the same: list marks, numbering, quotes,
 * backticks, code fences and a leading "./" are taken off, and only paths that exist in the tree are
 * kept, in the order given, without repeats; the rest is reported as dropped.
 */
public final class Localization {

    /** The most files the model may ask for; more are dropped. */
    public static final int MAX_FILES = 8;
    /** The answer's token limit: paths only. */
    public static final int MAX_ANSWER_TOKENS = 400;
    /** The tokens the map in the request may take, at most. */
    public static final long MAP_TOKENS = 24_000;

    /**
     * What the answer asked for.
     *
     * @param chosen  the paths that exist in the tree, in the order given
     * @param dropped the answer's other non-blank lines (paths that do not exist, prose), trimmed, at most 20
     */
    public record Answer(List<String> chosen, List<String> dropped) {
        public Answer {
            chosen = List.copyOf(chosen);
            dropped = List.copyOf(dropped);
        }
    }

    private static final String SYSTEM = "You locate the code an issue is about. You are shown a repository's file map "
            + "(each file's path and its declarations) and an issue. Answer with the paths of the files that must be "
            + "read or changed to fix the issue, and the test files that test them: one path a line, exactly as it "
            + "appears in the map, most important first, at most " + MAX_FILES + ". Write nothing else.";

    private Localization() {
    }

    /**
     * The request: the file map, then the issue, at temperature 0. The map comes first, so a provider
     * may cache it across issues of the same commit.
     */
    public static ChatRequest request(String repository, String map, String issue) {
        String user = "File map of " + repository + ":\n\n" + map + "\n\nIssue:\n\n"
                + SecretScanner.scan(issue).text()
                + "\n\nWhich files must be opened to fix this issue? One path a line, nothing else.";
        return new ChatRequest(List.of(ChatMessage.system(SYSTEM), ChatMessage.user(user)), MAX_ANSWER_TOKENS, 0.0, 1, null);
    }

    /** Reads {@code answer} against the {@code paths} of the tree; see the class comment. */
    public static Answer parse(String answer, Collection<String> paths) {
        Set<String> known = paths instanceof Set<String> set ? set : new HashSet<>(paths);
        Set<String> chosen = new LinkedHashSet<>();
        List<String> dropped = new ArrayList<>();
        for (String raw : (answer == null ? "" : answer).split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("```")) {
                continue;
            }
            String path = clean(line);
            if (known.contains(path) && chosen.size() < MAX_FILES) {
                chosen.add(path);
            } else if (!known.contains(path) && dropped.size() < 20) {
                dropped.add(line.length() > 120 ? line.substring(0, 120) + "..." : line);
            } else if (!chosen.contains(path) && dropped.size() < 20) {
                dropped.add(path + " (more than " + MAX_FILES + " files)");
            }
        }
        return new Answer(List.copyOf(chosen), dropped);
    }

    /** A line without its list mark or number, quotes, backticks, trailing comma or colon, and leading "./" or "/". */
    private static String clean(String line) {
        String s = line.replaceFirst("^(?:[-*+•]|\\d+[.)]|#+)\\s+", "").strip();
        s = s.replaceAll("^[`'\"<(\\[]+|[`'\">)\\],;:.]+$", "").strip();
        while (s.startsWith("./") || s.startsWith("/")) {
            s = s.substring(s.startsWith("./") ? 2 : 1);
        }
        return s;
    }
}
