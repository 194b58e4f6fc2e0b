package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much a file matters to a task: BM25 of the task's words against the file's path and
 * contents, and whether the task names the file (its path, its file name, a type or function it
 * declares, or a stack frame in it). Identifiers are split at case changes, underscores and (in
 * paths and the task) hyphens, and also count joined ({@code row_key} as "rowkey"); two neighbouring
 * words of the task count joined too ("row key" as "rowkey"); every term is lightly stemmed
 * ("keys", "capitalizing" and "capitalize" as "key" and "capitaliz"). So "row keys" in an issue
 * reaches {@code RowKey} and {@code row_key.rs}.
 */
final class Relevance {

    /** What one file contributes: its length in terms and how often each task term occurs (path words count thrice). */
    record Terms(int length, int[] counts) {
    }

    /** A word of the task: an identifier, hyphenated words (kebab-case) joined. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*");
    /** A source file's path in the task: a stack frame's, or one written out. */
    private static final Pattern PATH = Pattern.compile("(?<![\\w.@+/\\\\-])[\\w.@+/\\\\-]*[\\w@+-]\\."
            + "(?:java|kt|kts|scala|groovy|py|pyi|js|jsx|mjs|cjs|ts|tsx|mts|cts|go|rs|c|h|cc|cpp|cxx|hpp|hh|rb|php|cs"
            + "|swift|m|sh|vue|svelte)(?![\\w])");
    /** A Java (or Kotlin, Scala) stack frame: {@code at a.b.Foo$Inner.bar(Foo.java:12)}. */
    private static final Pattern JAVA_FRAME = Pattern.compile("\\bat\\s+((?:[\\w$]+\\.)+)[\\w$<>]+\\(([\\w$]+)"
            + "\\.(java|kt|scala|groovy):\\d+\\)");
    private static final Set<String> STOP = Set.of("the", "a", "an", "and", "or", "of", "to", "in", "is", "it", "on",
            "for", "with", "when", "that", "this", "be", "as", "at", "by", "not", "are", "was", "from", "if", "but",
            "should", "does", "do", "we", "i", "you");
    private static final Set<String> COMMON_NAMES = Set.of("main", "init", "test", "toString", "equals", "hashCode",
            "close", "call", "apply", "build", "__init__", "value", "values", "run", "get", "set", "New", "String");
    private static final double K1 = 1.2;
    private static final double B = 0.75;

    private final String task;
    private final Map<String, Integer> termIndex = new HashMap<>();
    private final Set<String> taskWords = new HashSet<>();
    /**
     * The task's words written as code rather than prose: camelCase, snake_case or with a digit,
     * in backticks, before a "(" or after a ".", or capitalised inside a sentence ("the Fraction
     * class"). Only these name a declaration: "with" or "strings" in plain words do not.
     */
    private final Set<String> identifiers = new HashSet<>();
    /** The source paths the task mentions, '/'-separated, without a leading "./" or "/". */
    private final Set<String> mentioned = new HashSet<>();
    /**
     * The task terms' string hashes, folded into a small table, and their longest length: a cheap no,
     * without a string, for nearly every word of a file.
     */
    private final boolean[] termHashes = new boolean[1 << 12];
    private final int longestTerm;
    /** The first two letters of each term (the second 0 for a one-letter term): stemming never changes them. */
    private final boolean[] firstPairs = new boolean[1 << 14];
    /** For a word of n letters (separators aside), whether some term is n to n-6 letters long: what its stem may be. */
    private final boolean[] stemLengths;

    Relevance(String task) {
        this.task = task;
        Matcher m = WORD.matcher(task);
        String previous = null;
        int previousEnd = -1;
        while (m.find()) {
            String word = m.group();
            for (String part : word.split("-")) {
                taskWords.add(part);
            }
            if (word.indexOf('-') < 0 && codeLike(task, m.start(), m.end())) {
                identifiers.add(word);
            }
            for (String term : terms(word)) {
                if (!STOP.contains(term)) {
                    termIndex.putIfAbsent(term, termIndex.size());
                }
            }
            // Two words apart only by blanks may be one identifier written apart: "row key" for RowKey.
            boolean adjacent = previous != null && task.substring(previousEnd, m.start()).isBlank();
            if (adjacent && !STOP.contains(previous.toLowerCase(Locale.ROOT)) && !STOP.contains(word.toLowerCase(Locale.ROOT))) {
                String joined = stem(joined(previous + word));
                if (joined.length() > 3) {
                    termIndex.putIfAbsent(joined, termIndex.size());
                }
            }
            previous = word;
            previousEnd = m.end();
        }
        Matcher frame = JAVA_FRAME.matcher(task);
        while (frame.find()) {
            String qualified = frame.group(1).substring(0, frame.group(1).length() - 1); // a.b.Foo$Inner
            int lastDot = qualified.lastIndexOf('.');
            String dir = lastDot < 0 ? "" : qualified.substring(0, lastDot).replace('.', '/') + "/";
            mentioned.add(dir + frame.group(2) + "." + frame.group(3));
        }
        Matcher path = PATH.matcher(task);
        while (path.find()) {
            String p = path.group().replace('\\', '/');
            while (p.startsWith("./") || p.startsWith("/")) {
                p = p.substring(p.startsWith("./") ? 2 : 1);
            }
            if (!p.isEmpty()) {
                mentioned.add(p);
            }
        }
        int longest = 0;
        for (String term : termIndex.keySet()) {
            termHashes[filterSlot(term.hashCode())] = true;
            longest = Math.max(longest, term.length());
            firstPairs[pair(term.charAt(0), term.length() > 1 ? term.charAt(1) : 0)] = true;
        }
        longestTerm = longest;
        stemLengths = new boolean[longest + 7];
        for (String term : termIndex.keySet()) {
            for (int n = term.length(); n <= term.length() + 6; n++) {
                stemLengths[n] = true;
            }
        }
    }

    /** Whether the word {@code task[start, end)} is written as code; see {@link #identifiers}. */
    private static boolean codeLike(String task, int start, int end) {
        boolean lowerSeen = false;
        for (int k = start; k < end; k++) {
            char c = task.charAt(k);
            lowerSeen |= lower(c);
            if (c == '_' || digit(c) || k > start && upper(c) && (lowerSeen || k + 1 < end && lower(task.charAt(k + 1)))) {
                return true;
            }
        }
        char before = start > 0 ? task.charAt(start - 1) : '\n';
        char after = end < task.length() ? task.charAt(end) : '\n';
        if (before == '`' || before == '.' || after == '(' || after == '`') {
            return true;
        }
        if (!upper(task.charAt(start))) {
            return false;
        }
        // Capitalised: code unless it starts a sentence or a line.
        int k = start - 1;
        while (k >= 0 && (task.charAt(k) == ' ' || task.charAt(k) == '\t' || task.charAt(k) == '"' || task.charAt(k) == '\'')) {
            k--;
        }
        return k >= 0 && ".!?:\n#*-".indexOf(task.charAt(k)) < 0;
    }

    /** The terms of one identifier: itself joined (lower case, without underscores or hyphens) and its parts, stemmed. */
    static List<String> terms(String word) {
        List<String> terms = new ArrayList<>();
        String joined = joined(word);
        if (!joined.isEmpty()) {
            terms.add(stem(joined));
        }
        int[] parts = parts(word, 0, word.length());
        for (int k = 0; k < parts.length; k += 2) {
            terms.add(stem(word.substring(parts[k], parts[k + 1]).toLowerCase(Locale.ROOT)));
        }
        return terms;
    }

    /** {@code word} in lower case without its underscores and hyphens: {@code row_key} and {@code RowKey} as "rowkey". */
    static String joined(String word) {
        StringBuilder joined = new StringBuilder(word.length());
        for (int k = 0; k < word.length(); k++) {
            char c = word.charAt(k);
            if (c != '_' && c != '-') {
                joined.append(upper(c) ? (char) (c + ('a' - 'A')) : Character.toLowerCase(c));
            }
        }
        return joined.toString();
    }

    /** The light stem of a lower-case word; see {@link #stem(char[], int)}. */
    static String stem(String word) {
        char[] chars = word.toCharArray();
        return new String(chars, 0, stem(chars, chars.length));
    }

    /**
     * Stems the lower-case word {@code w[0, n)} in place, and says how long the stem is: a plural's
     * "s", "es" or "ies" (as "y") goes, then an "ing", "ed" or "ion" that leaves a vowel, then a
     * doubled consonant that left behind or else a final "e". Light, not Porter's: "keys" and "key",
     * "capitalizing", "capitalize" and "capitalized", "abbreviation" and "abbreviate" meet; words of
     * three letters or fewer stay as they are. At most six letters go.
     */
    static int stem(char[] w, int n) {
        if (n <= 3) {
            return n;
        }
        if (n > 4 && ends(w, n, "ies")) {
            w[n - 3] = 'y';
            n -= 2;
        } else if (ends(w, n, "sses") || ends(w, n, "xes") || ends(w, n, "ches") || ends(w, n, "shes")) {
            n -= 2;
        } else if (w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i') {
            n -= 1;
        }
        int before = n;
        if (n > 5 && ends(w, n, "ing") && vowel(w, n - 3)) {
            n -= 3;
        } else if (n > 4 && ends(w, n, "ed") && vowel(w, n - 2)) {
            n -= 2;
        } else if (n > 5 && ends(w, n, "ion") && vowel(w, n - 3)) {
            n -= 3;
        }
        char last = w[n - 1];
        if (n < before && w[n - 2] == last && "aeioulsz".indexOf(last) < 0 && lower(last)) {
            n -= 1;
        } else if (n > 4 && last == 'e') {
            n -= 1;
        }
        return n;
    }

    private static boolean ends(char[] w, int n, String suffix) {
        int k = n - suffix.length();
        if (k < 0) {
            return false;
        }
        for (int j = 0; j < suffix.length(); j++) {
            if (w[k + j] != suffix.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code w[0, n)} has a vowel (y counts). */
    private static boolean vowel(char[] w, int n) {
        for (int k = 0; k < n; k++) {
            if ("aeiouy".indexOf(w[k]) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static final int[] ONE_PART = new int[0];

    /**
     * Where the parts of the word {@code text[from, to)} lie, start and end of each non-empty one, or
     * none when the word is one part. The word is cut at each underscore (dropped) and at each case
     * change: before an upper-case letter that follows a lower-case one or a digit ({@code parse|Header}),
     * and before the last capital of a run that goes on in lower case ({@code HTTP|Server}). Empty
     * parts left by underscores count towards "more than one", except at the end, as with
     * {@code String.split}. By hand: this runs for most words of a repository.
     */
    private static int[] parts(String text, int from, int to) {
        int[] bounds = ONE_PART;
        int n = 0;
        int index = 0;
        int lastNonEmpty = -1;
        for (int start = from, p = from; p <= to; p++) {
            int next = cut(text, from, to, p);
            if (next < 0) {
                continue;
            }
            if (p > start) {
                if (n == bounds.length) {
                    bounds = Arrays.copyOf(bounds, Math.max(8, 2 * n));
                }
                bounds[n++] = start;
                bounds[n++] = p;
                lastNonEmpty = index;
            }
            index++;
            start = next;
        }
        return lastNonEmpty >= 1 ? Arrays.copyOf(bounds, n) : ONE_PART;
    }

    private static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean lower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Counts the task's terms in a file; in its path, hyphens join words as underscores do. */
    Terms terms(String path, String text) {
        int[] counts = new int[termIndex.size()];
        char[] buffer = new char[longestTerm + 6];
        int length = count(text, counts, 1, false, buffer);
        length += count(path, counts, 3, true, buffer);
        return new Terms(length, counts);
    }

    /**
     * Counts the terms of {@code text} (its words, and the parts of those that {@link #terms} splits)
     * and adds {@code weight} for each task term among them. By hand, without a string for a word
     * that no task term can be: this runs over every character of the repository.
     */
    private int count(String text, int[] counts, int weight, boolean kebab, char[] buffer) {
        int length = 0;
        int n = text.length();
        for (int i = 0; i < n; ) {
            char c = text.charAt(i);
            if (!wordCharacter(c)) {
                i++;
                continue;
            }
            int start = i;
            boolean split = false;
            while (i < n && (wordCharacter(c = text.charAt(i)) || kebab && c == '-')) {
                split |= c == '_' || c == '-' || upper(c);
                i++;
            }
            length++;
            find(text, start, i, counts, weight, buffer);
            if (split) {
                int[] parts = parts(text, start, i);
                for (int k = 0; k < parts.length; k += 2) {
                    length++;
                    find(text, parts[k], parts[k + 1], counts, weight, buffer);
                }
            }
        }
        return length;
    }

    /**
     * Whether the word {@code text[from, to)} is cut at {@code p} (the word's end is): where the next
     * part starts, or -1 for no cut.
     */
    private static int cut(String text, int from, int to, int p) {
        if (p == to) {
            return to;
        }
        char c = text.charAt(p);
        if (c == '_' || c == '-') {
            return p + 1;
        }
        if (p > from && upper(c)) {
            char before = text.charAt(p - 1);
            if (lower(before) || digit(before) || upper(before) && p + 1 < to && lower(text.charAt(p + 1))) {
                return p;
            }
        }
        return -1;
    }

    /**
     * Adds {@code weight} when {@code text[from, to)}, joined and stemmed as {@link #terms} does, is a
     * task term; {@code buffer} holds the longest word that can be one.
     */
    private void find(String text, int from, int to, int[] counts, int weight, char[] buffer) {
        // First a cheap no, without copying: by the word's length and its first two letters.
        int n = 0;
        char first = 0;
        char second = 0;
        for (int k = from; k < to; k++) {
            char c = text.charAt(k);
            if (c == '_' || c == '-') {
                continue;
            }
            if (n == buffer.length) {
                return; // stemming takes at most six letters off: too long to be a task term
            }
            if (n < 2) {
                c = upper(c) ? (char) (c + ('a' - 'A')) : c;
                if (n == 0) {
                    first = c;
                } else {
                    second = c;
                }
            }
            n++;
        }
        if (n == 0 || !stemLengths[n] || !firstPairs[pair(first, second)]) {
            return;
        }
        n = 0;
        for (int k = from; k < to; k++) {
            char c = text.charAt(k);
            if (c != '_' && c != '-') {
                buffer[n++] = upper(c) ? (char) (c + ('a' - 'A')) : c;
            }
        }
        n = stem(buffer, n);
        if (n == 0 || n > longestTerm) {
            return;
        }
        int hash = 0;
        for (int k = 0; k < n; k++) {
            hash = 31 * hash + buffer[k];
        }
        if (!termHashes[filterSlot(hash)]) {
            return;
        }
        Integer index = termIndex.get(new String(buffer, 0, n));
        if (index != null) {
            counts[index] += weight;
        }
    }

    private static int pair(char first, char second) {
        return (first & 127) << 7 | second & 127;
    }

    private static int filterSlot(int hash) {
        return (hash ^ hash >>> 12 ^ hash >>> 24) & ((1 << 12) - 1);
    }

    private static boolean wordCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** Whether the task names the file (its path, even in a stack trace) or something it declares. */
    boolean names(String path, List<Declarations.Declaration> declarations) {
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        String stem = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
        // The stem as a whole word, so "radio.go" in a task does not name "io.go".
        if (task.contains(path) || task.contains(fileName) && taskWords.contains(stem)) {
            return true;
        }
        // A path in a stack trace or the text, relative to the repository or to somewhere else
        // (an absolute path on the reporter's machine, a package path without the source root).
        for (String m : mentioned) {
            if (m.equals(path) || m.endsWith("/" + path) || path.endsWith("/" + m)) {
                return true;
            }
        }
        for (Declarations.Declaration declaration : declarations) {
            String name = declaration.name();
            if (name.length() >= 4 && !COMMON_NAMES.contains(name) && identifiers.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** BM25 scores of every file against the task, by the files' term counts. */
    double[] scores(List<Terms> files) {
        double[] scores = new double[files.size()];
        if (files.isEmpty() || termIndex.isEmpty()) {
            return scores;
        }
        double average = files.stream().mapToInt(Terms::length).average().orElse(1);
        int[] frequency = new int[termIndex.size()];
        for (Terms file : files) {
            for (int t = 0; t < frequency.length; t++) {
                frequency[t] += file.counts()[t] > 0 ? 1 : 0;
            }
        }
        for (int i = 0; i < scores.length; i++) {
            Terms file = files.get(i);
            for (int t = 0; t < frequency.length; t++) {
                int tf = file.counts()[t];
                if (tf > 0) {
                    double idf = Math.log(1 + (files.size() - frequency[t] + 0.5) / (frequency[t] + 0.5));
                    scores[i] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * file.length() / Math.max(1, average)));
                }
            }
        }
        return scores;
    }
}
