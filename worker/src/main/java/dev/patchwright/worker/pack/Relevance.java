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
 * contents, and whether the task names the file (its path, its file name, or a type or function it
 * declares). Identifiers are split at case changes and underscores, so {@code parseHeader} also
 * matches "parse" and "header".
 */
final class Relevance {

    /** What one file contributes: its length in terms and how often each task term occurs (path words count thrice). */
    record Terms(int length, int[] counts) {
    }

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_]+");
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
     * The task terms' string hashes, folded into a small table, and their longest length: a cheap no,
     * without a string, for nearly every word of a file.
     */
    private final boolean[] termHashes = new boolean[1 << 12];
    private final int longestTerm;

    Relevance(String task) {
        this.task = task;
        Matcher m = WORD.matcher(task);
        while (m.find()) {
            taskWords.add(m.group());
            for (String term : terms(m.group())) {
                if (!STOP.contains(term)) {
                    termIndex.putIfAbsent(term, termIndex.size());
                }
            }
        }
        int longest = 0;
        for (String term : termIndex.keySet()) {
            termHashes[filterSlot(term.hashCode())] = true;
            longest = Math.max(longest, term.length());
        }
        longestTerm = longest;
    }

    /** The lower-case terms of one identifier: itself and its parts. */
    static List<String> terms(String word) {
        List<String> terms = new ArrayList<>();
        terms.add(word.toLowerCase(Locale.ROOT));
        int[] parts = parts(word, 0, word.length());
        for (int k = 0; k < parts.length; k += 2) {
            terms.add(word.substring(parts[k], parts[k + 1]).toLowerCase(Locale.ROOT));
        }
        return terms;
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

    /** Counts the task's terms in a file. */
    Terms terms(String path, String text) {
        int[] counts = new int[termIndex.size()];
        int length = count(text, counts, 1);
        length += count(path, counts, 3);
        return new Terms(length, counts);
    }

    /**
     * Counts the terms of {@code text} (its words, and the parts of those that {@link #terms} splits)
     * and adds {@code weight} for each task term among them. By hand, without a string for a word
     * that no task term can be: this runs over every character of the repository.
     */
    private int count(String text, int[] counts, int weight) {
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
            while (i < n && wordCharacter(c = text.charAt(i))) {
                split |= c == '_' || upper(c);
                i++;
            }
            length++;
            find(text, start, i, counts, weight);
            if (split) {
                int[] parts = parts(text, start, i);
                for (int k = 0; k < parts.length; k += 2) {
                    length++;
                    find(text, parts[k], parts[k + 1], counts, weight);
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
        if (c == '_') {
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

    /** Adds {@code weight} when {@code text[from, to)}, lower-cased, is a task term. */
    private void find(String text, int from, int to, int[] counts, int weight) {
        if (to - from > longestTerm) {
            return;
        }
        int hash = 0;
        for (int k = from; k < to; k++) {
            char c = text.charAt(k);
            hash = 31 * hash + (upper(c) ? c + ('a' - 'A') : c);
        }
        if (!termHashes[filterSlot(hash)]) {
            return;
        }
        Integer index = termIndex.get(text.substring(from, to).toLowerCase(Locale.ROOT));
        if (index != null) {
            counts[index] += weight;
        }
    }

    private static int filterSlot(int hash) {
        return (hash ^ hash >>> 12 ^ hash >>> 24) & ((1 << 12) - 1);
    }

    private static boolean wordCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** Whether the task names the file or something it declares. */
    boolean names(String path, List<Declarations.Declaration> declarations) {
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        String stem = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
        // The stem as a whole word, so "radio.go" in a task does not name "io.go".
        if (task.contains(path) || task.contains(fileName) && taskWords.contains(stem)) {
            return true;
        }
        for (Declarations.Declaration declaration : declarations) {
            String name = declaration.name();
            if (name.length() >= 4 && !COMMON_NAMES.contains(name) && taskWords.contains(name)) {
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
