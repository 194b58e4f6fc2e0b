package dev.patchwright.bot.console;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns a candidate's stored diff and test output into what a page shows. Both come from strangers (a model's
 * patch, a repository's tests), so nothing here makes HTML: lines get a CSS class and the template escapes them.
 */
final class Evidence {

    /** Lines of test output a page shows: the end, where the failures and the summary are. */
    static final int OUTPUT_LINES = 200;

    /** CSI sequences (colours, cursor moves), OSC sequences (titles, links) and two-character escapes (resets). */
    private static final Pattern ANSI = Pattern.compile(
            "\\u001B\\[[0-?]*[ -/]*[@-~]|\\u001B\\][^\\u0007\\u001B]*(\\u0007|\\u001B\\\\)?|\\u001B[@-~]");
    /** Control characters other than tab and newline, which have no business on a page. */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F]");

    private Evidence() {
    }

    /** One line of a diff and how it is coloured: {@code add}, {@code del}, {@code hunk}, {@code file} or {@code ctx}. */
    record DiffLine(String kind, String text) {
    }

    static List<DiffLine> diff(String diff) {
        List<DiffLine> lines = new ArrayList<>();
        if (diff == null || diff.isEmpty()) {
            return lines;
        }
        for (String line : diff.split("\n", -1)) {
            String kind;
            if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff ")
                    || line.startsWith("index ")) {
                kind = "file";
            } else if (line.startsWith("@@")) {
                kind = "hunk";
            } else if (line.startsWith("+")) {
                kind = "add";
            } else if (line.startsWith("-")) {
                kind = "del";
            } else {
                kind = "ctx";
            }
            lines.add(new DiffLine(kind, CONTROL.matcher(line).replaceAll("")));
        }
        if (lines.get(lines.size() - 1).text().isEmpty()) {
            lines.remove(lines.size() - 1); // the newline that ends the last line
        }
        return lines;
    }

    /** Test output without ANSI escapes or control characters, and only its last {@link #OUTPUT_LINES} lines. */
    static String testOutput(String output) {
        if (output == null) {
            return "";
        }
        String clean = CONTROL.matcher(ANSI.matcher(output.replace("\r\n", "\n")).replaceAll("")).replaceAll("")
                .strip();
        String[] lines = clean.split("\n", -1);
        if (lines.length <= OUTPUT_LINES) {
            return clean;
        }
        return "… " + (lines.length - OUTPUT_LINES) + " earlier lines left out …\n"
                + String.join("\n", java.util.Arrays.copyOfRange(lines, lines.length - OUTPUT_LINES, lines.length));
    }
}
