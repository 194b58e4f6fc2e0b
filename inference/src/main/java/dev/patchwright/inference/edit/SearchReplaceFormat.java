package dev.patchwright.inference.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The SEARCH/REPLACE edit format: the text that explains it to a model, and the parser for the model's answer.
 *
 * <p>One block per edit:
 *
 * <pre>
 * path/to/File.java
 * &lt;&lt;&lt;&lt;&lt;&lt;&lt; SEARCH
 * exact lines currently in the file
 * =======
 * replacement lines
 * &gt;&gt;&gt;&gt;&gt;&gt;&gt; REPLACE
 * </pre>
 *
 * The path is the last non-blank line before {@code <<<<<<< SEARCH}; Markdown fences, backticks and {@code **}
 * around it are tolerated. An empty SEARCH section creates a new file. Text between blocks is ignored.
 */
public final class SearchReplaceFormat {

    // Models sometimes miscount the chevrons; with the word after them 5 to 9 is still unambiguous. The divider
    // stays exactly 7 because files (RST titles, Markdown headings) hold lines of '=' that a block may quote.
    private static final Pattern SEARCH = Pattern.compile("\\s*<{5,9} ?SEARCH\\s*");
    private static final Pattern DIVIDER = Pattern.compile("={7}\\s*");
    private static final Pattern REPLACE = Pattern.compile("\\s*>{5,9} ?REPLACE\\s*");
    private static final String SEARCH_MARK = "<<<<<<< SEARCH";
    private static final String DIVIDER_MARK = "=======";
    private static final String REPLACE_MARK = ">>>>>>> REPLACE";

    private static final String INSTRUCTIONS = """
            Answer with the changes as SEARCH/REPLACE blocks, one block per change:

            path/to/File.java
            <<<<<<< SEARCH
            exact lines currently in the file
            =======
            the lines to put in their place
            >>>>>>> REPLACE

            Rules:
            - Put the file's path, relative to the repository root, alone on the line before <<<<<<< SEARCH.
            - SEARCH must copy the current lines exactly, including indentation and comments, and must match only
              one place in the file: include a few unchanged lines around the change to make it unique.
            - Keep blocks small: several small blocks are better than one that repeats a whole file. Blocks for
              the same file are applied in order.
            - To create a new file, leave SEARCH empty and put the whole file in REPLACE.
            - To delete lines, leave REPLACE empty.
            - Text outside the blocks is ignored.

            Example, changing one line of src/main/java/demo/Calc.java:

            src/main/java/demo/Calc.java
            <<<<<<< SEARCH
                public int subtract(int a, int b) {
                    return a + b;
                }
            =======
                public int subtract(int a, int b) {
                    return a - b;
                }
            >>>>>>> REPLACE
            """;

    private SearchReplaceFormat() {}

    /** The text put in the prompt to explain the format to a model, with one example. */
    public static String instructions() {
        return INSTRUCTIONS;
    }

    /**
     * Reads every SEARCH/REPLACE block of a model's answer, in order.
     *
     * @param modelOutput the model's whole answer; LF or CRLF line endings
     * @return the edits, each with LF line endings and every line ending in {@code \n}
     * @throws EditFormatException when the answer has no block, a block has no path, a marker is missing or a
     *     marker appears inside a block; the message names the block, its path and the line (1-based)
     */
    public static List<FileEdit> parse(String modelOutput) throws EditFormatException {
        if (modelOutput == null) {
            throw new EditFormatException("the model's answer is empty");
        }
        String[] lines = modelOutput.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].endsWith("\r")) {
                lines[i] = lines[i].substring(0, lines[i].length() - 1);
            }
        }
        List<FileEdit> edits = new ArrayList<>();
        int afterPreviousBlock = 0;
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            if (REPLACE.matcher(line).matches()) {
                throw new EditFormatException("line " + (i + 1) + ": " + REPLACE_MARK + " without a "
                        + SEARCH_MARK + " before it");
            }
            if (!SEARCH.matcher(line).matches()) {
                i++;
                continue;
            }
            int block = edits.size() + 1;
            int searchLine = i;
            String path = pathBefore(lines, afterPreviousBlock, searchLine);
            if (path == null) {
                throw new EditFormatException("block " + block + ": no file path on the line before " + SEARCH_MARK
                        + " (line " + (searchLine + 1) + "); put the file's path alone on that line");
            }
            String where = "block " + block + " (" + path + ")";
            int divider = findMarker(lines, searchLine + 1, DIVIDER, where, searchLine, DIVIDER_MARK, SEARCH_MARK);
            int end = findMarker(lines, divider + 1, REPLACE, where, searchLine, REPLACE_MARK, DIVIDER_MARK);
            edits.add(new FileEdit(path, join(lines, searchLine + 1, divider), join(lines, divider + 1, end)));
            afterPreviousBlock = end + 1;
            i = end + 1;
        }
        if (edits.isEmpty()) {
            throw new EditFormatException("the model's answer contains no SEARCH/REPLACE block");
        }
        return List.copyOf(edits);
    }

    /**
     * Finds the line index of the marker that closes the current section, failing on a nested marker or the end.
     *
     * @param expected the marker wanted, for messages
     * @param opened the marker that opened this section, for messages
     */
    private static int findMarker(String[] lines, int from, Pattern marker, String where, int searchLine,
            String expected, String opened) throws EditFormatException {
        for (int j = from; j < lines.length; j++) {
            String line = lines[j];
            if (marker.matcher(line).matches()) {
                return j;
            }
            String nested = SEARCH.matcher(line).matches() ? SEARCH_MARK
                    : DIVIDER.matcher(line).matches() ? DIVIDER_MARK
                    : REPLACE.matcher(line).matches() ? REPLACE_MARK
                    : null;
            if (nested != null) {
                throw new EditFormatException(where + ": unexpected " + nested + " at line " + (j + 1)
                        + " inside the block that starts at line " + (searchLine + 1) + "; expected " + expected
                        + " first");
            }
        }
        throw new EditFormatException(where + ": missing " + expected + " after the " + opened
                + " of the block that starts at line " + (searchLine + 1));
    }

    /** The path on the last non-blank, non-fence line in [from, searchLine), cleaned; null when there is none. */
    private static String pathBefore(String[] lines, int from, int searchLine) {
        for (int j = searchLine - 1; j >= from; j--) {
            String line = lines[j].strip();
            if (line.isEmpty() || line.startsWith("```")) {
                continue;
            }
            String path = stripDecoration(line);
            return path.isEmpty() ? null : path;
        }
        return null;
    }

    /** Removes Markdown emphasis and code backticks around a path: {@code **`src/A.java`**} → {@code src/A.java}. */
    private static String stripDecoration(String line) {
        int start = 0;
        int end = line.length();
        while (start < end && isDecoration(line.charAt(start))) {
            start++;
        }
        while (end > start && isDecoration(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(start, end).strip();
    }

    private static boolean isDecoration(char c) {
        return c == '*' || c == '`' || Character.isWhitespace(c);
    }

    /** Lines [from, to) joined, each ending in {@code \n}; empty when the range is empty. */
    private static String join(String[] lines, int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int j = from; j < to; j++) {
            text.append(lines[j]).append('\n');
        }
        return text.toString();
    }
}
