package dev.patchwright.inference.edit;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies one SEARCH/REPLACE edit to a file's text in memory.
 *
 * <p>SEARCH must match exactly one place, starting at a line start. The exact text is tried first (also with the
 * file's CRLF line endings); only when that finds nothing, lines are compared ignoring trailing whitespace and
 * CR/LF. Nothing fuzzier: a wrong edit applied somewhere is worse than an error the model can fix.
 */
final class TextReplacement {

    private TextReplacement() {}

    /**
     * The file's text after the edit.
     *
     * @param content the current text, or null when the file does not exist
     * @param path the file, for messages, e.g. {@code "src/A.java"}
     * @param which the edit, for messages, e.g. {@code "edit 2 of 3"}
     * @throws EditApplyException when the file is missing, already exists for a create, or SEARCH matches zero or
     *     several places
     */
    static String apply(String content, FileEdit edit, String path, String which) throws EditApplyException {
        if (edit.createsFile()) {
            if (content != null && !content.isEmpty()) {
                throw new EditApplyException(path + ": already exists, so SEARCH may not be empty (" + which
                        + "); put the lines to change in SEARCH");
            }
            return edit.replace();
        }
        if (content == null) {
            throw new EditApplyException(path + ": no such file (" + which + "); to create it, leave SEARCH empty");
        }
        String eol = dominantLineEnding(content);
        String replace = withLineEnding(edit.replace(), eol);
        List<String> candidates = new ArrayList<>(List.of(edit.search()));
        if (eol.equals("\r\n") && !edit.search().contains("\r\n")) {
            candidates.add(withLineEnding(edit.search(), eol));
        }
        for (String search : candidates) {
            int first = indexAtLineStart(content, search, 0);
            if (first < 0) {
                continue;
            }
            int times = 1;
            for (int at = indexAtLineStart(content, search, first + 1); at >= 0;
                    at = indexAtLineStart(content, search, at + 1)) {
                times++;
            }
            if (times > 1) {
                throw ambiguous(path, times, which);
            }
            return content.substring(0, first) + replace + content.substring(first + search.length());
        }
        return replaceLoosely(content, edit, path, which, eol);
    }

    private static String replaceLoosely(String content, FileEdit edit, String path, String which, String eol)
            throws EditApplyException {
        List<String[]> lines = splitLines(content);
        List<String[]> search = splitLines(edit.search());
        int found = -1;
        int times = 0;
        for (int i = 0; i + search.size() <= lines.size(); i++) {
            if (matchesAt(lines, search, i)) {
                found = i;
                times++;
            }
        }
        if (times == 0) {
            String firstLine = search.get(0)[0].strip();
            throw new EditApplyException(path + ": SEARCH text not found (" + which + ", first line \""
                    + (firstLine.length() > 80 ? firstLine.substring(0, 80) + "..." : firstLine)
                    + "\"); copy the lines exactly as they are in the current file");
        }
        if (times > 1) {
            throw ambiguous(path, times, which);
        }
        StringBuilder result = new StringBuilder(content.length() + edit.replace().length());
        for (int i = 0; i < found; i++) {
            result.append(lines.get(i)[0]).append(lines.get(i)[1]);
        }
        List<String[]> replacement = splitLines(edit.replace());
        boolean endsUnterminated = lines.get(found + search.size() - 1)[1].isEmpty();
        for (int k = 0; k < replacement.size(); k++) {
            boolean lastOfFile = endsUnterminated && k == replacement.size() - 1;
            result.append(replacement.get(k)[0]).append(lastOfFile ? "" : eol);
        }
        for (int i = found + search.size(); i < lines.size(); i++) {
            result.append(lines.get(i)[0]).append(lines.get(i)[1]);
        }
        return result.toString();
    }

    private static boolean matchesAt(List<String[]> lines, List<String[]> search, int at) {
        for (int k = 0; k < search.size(); k++) {
            if (!lines.get(at + k)[0].stripTrailing().equals(search.get(k)[0].stripTrailing())) {
                return false;
            }
        }
        return true;
    }

    private static EditApplyException ambiguous(String path, int times, String which) {
        return new EditApplyException(path + ": SEARCH text found " + times + " times (" + which
                + "); include more context so it matches exactly one place");
    }

    /** The first index at or after {@code from} where {@code search} starts a line, or -1. */
    private static int indexAtLineStart(String content, String search, int from) {
        for (int at = content.indexOf(search, from); at >= 0; at = content.indexOf(search, at + 1)) {
            if (at == 0 || content.charAt(at - 1) == '\n') {
                return at;
            }
        }
        return -1;
    }

    /** Each line as {text, terminator}; the terminator is "\n", "\r\n" or "" for a last line without one. */
    private static List<String[]> splitLines(String text) {
        List<String[]> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            if (newline < 0) {
                lines.add(new String[] {text.substring(start), ""});
                break;
            }
            boolean crlf = newline > start && text.charAt(newline - 1) == '\r';
            lines.add(new String[] {text.substring(start, crlf ? newline - 1 : newline), crlf ? "\r\n" : "\n"});
            start = newline + 1;
        }
        return lines;
    }

    /** "\r\n" when most of the file's line breaks are CRLF, else "\n". */
    private static String dominantLineEnding(String content) {
        int crlf = 0;
        int lf = 0;
        for (int i = 0; i < content.length(); i++) {
            if (content.charAt(i) == '\n') {
                if (i > 0 && content.charAt(i - 1) == '\r') {
                    crlf++;
                } else {
                    lf++;
                }
            }
        }
        return crlf > lf ? "\r\n" : "\n";
    }

    private static String withLineEnding(String text, String eol) {
        String lf = text.replace("\r\n", "\n");
        return eol.equals("\n") ? lf : lf.replace("\n", eol);
    }
}
