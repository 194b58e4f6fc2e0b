package dev.patchwright.worker.pack;

import java.util.ArrayList;
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
    /** Where an identifier splits into parts: underscores and case changes. */
    private static final Pattern PARTS = Pattern.compile("_|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
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
    }

    /** The lower-case terms of one identifier: itself and its parts. */
    static List<String> terms(String word) {
        List<String> terms = new ArrayList<>();
        String lower = word.toLowerCase(Locale.ROOT);
        terms.add(lower);
        if (lower.equals(word) && word.indexOf('_') < 0) {
            return terms; // nothing to split at: most words of most code
        }
        String[] parts = PARTS.split(word);
        if (parts.length > 1) {
            for (String part : parts) {
                if (!part.isEmpty()) {
                    terms.add(part.toLowerCase(Locale.ROOT));
                }
            }
        }
        return terms;
    }

    /** Counts the task's terms in a file. */
    Terms terms(String path, String text) {
        int[] counts = new int[termIndex.size()];
        int length = count(text, counts, 1);
        length += count(path, counts, 3);
        return new Terms(length, counts);
    }

    private int count(String text, int[] counts, int weight) {
        int length = 0;
        int n = text.length();
        // By hand rather than with WORD: this runs over every character of the repository.
        for (int i = 0; i < n; ) {
            if (!wordCharacter(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && wordCharacter(text.charAt(i))) {
                i++;
            }
            for (String term : terms(text.substring(start, i))) {
                length++;
                Integer index = termIndex.get(term);
                if (index != null) {
                    counts[index] += weight;
                }
            }
        }
        return length;
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
