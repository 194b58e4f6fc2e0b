package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds credentials in a text and replaces each with {@code [REDACTED kind]}: private key blocks,
 * AWS access key ids and secret keys, GitHub and Slack tokens, and high-entropy values assigned to
 * names that say they are secret. A model provider must never receive them. Ordinary code (a
 * {@code token} variable, a regular expression, a placeholder such as {@code ${DB_PASSWORD}}) is
 * left alone.
 */
final class SecretScanner {

    /** A credential found on a 1-based line of the scanned text. */
    record Finding(int line, String kind) {
    }

    /** The text with its credentials replaced, and where they were. */
    record Result(String text, List<Finding> findings) {
    }

    /**
     * One kind of credential. A rule runs only where one of its lower-case {@code triggers} occurs:
     * over the whole text, or, when {@code lineWise}, over just the lines holding a trigger, which
     * keeps the broad patterns linear on large files.
     */
    private record Rule(String kind, Pattern pattern, int group, List<String> triggers, boolean lineWise) {
    }

    private record Span(int start, int end, String kind) {
    }

    private static final String NAME = "[A-Za-z0-9_.\\-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey"
            + "|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)[A-Za-z0-9_.\\-]*";
    private static final String VALUE = "[A-Za-z0-9+/=_\\-.~!@#%^&*]";

    private static final List<Rule> RULES = List.of(
            new Rule("private-key", Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY((?: BLOCK)?)-----"
                    + "[A-Za-z0-9+/=\\s\\\\\"'+,:\\-]{40,}?-----END \\1PRIVATE KEY\\2-----"), 0,
                    List.of("private key"), false),
            new Rule("aws-access-key-id", Pattern.compile(
                    "\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[0-9A-Z]{16}\\b"), 0,
                    List.of("akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "apka"), false),
            new Rule("aws-secret-access-key", Pattern.compile("(?i)aws[^\\n]{0,20}?(?:secret|private)[^\\n]{0,20}?"
                    + "(?:=|:|=>|:=)\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"), 1, List.of("aws"), true),
            new Rule("github-token", Pattern.compile(
                    "\\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,255})\\b"), 0,
                    List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), false),
            new Rule("slack-token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,250}"), 0, List.of("xox"), false),
            new Rule("slack-webhook", Pattern.compile("https://hooks\\.slack\\.com/services/[A-Za-z0-9_/]{20,}"), 0,
                    List.of("hooks.slack.com"), false),
            new Rule("secret-assignment", Pattern.compile("(?i)\\b" + NAME + "[\"']?\\s*(?:=|:=|:|=>)\\s*"
                    + "(?:([\"'`])(" + VALUE + "{8,200})\\1|(" + VALUE + "{12,200})(?=\\s*(?:$|[;,#])))"), -1,
                    List.of("pass", "pwd", "secret", "token", "key", "credential"), true));

    private static final Pattern NUMBER = Pattern.compile("[-+0-9.,_eExX]+");
    private static final Pattern WORDS = Pattern.compile("[A-Za-z_.\\-]+");

    private SecretScanner() {
    }

    /** Scans {@code text}; returns it unchanged (the same instance) when nothing was found. */
    static Result scan(String text) {
        String lower = asciiLowerCase(text);
        List<Span> spans = new ArrayList<>();
        for (Rule rule : RULES) {
            if (rule.lineWise()) {
                for (Map.Entry<Integer, Integer> line : lines(text, lower, rule.triggers()).entrySet()) {
                    find(rule, rule.pattern().matcher(text).region(line.getKey(), line.getValue()), spans);
                }
            } else if (rule.triggers().stream().anyMatch(lower::contains)) {
                find(rule, rule.pattern().matcher(text), spans);
            }
        }
        if (spans.isEmpty()) {
            return new Result(text, List.of());
        }
        spans.sort(Comparator.comparingInt(Span::start).thenComparing(Comparator.comparingInt(Span::end).reversed()));
        StringBuilder out = new StringBuilder(text.length());
        List<Finding> findings = new ArrayList<>();
        int done = 0;
        int line = 1;
        for (Span span : spans) {
            if (span.start() < done) {
                continue; // inside a credential already redacted, e.g. a key id within an assignment
            }
            for (int i = done; i < span.start(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                }
            }
            out.append(text, done, span.start()).append("[REDACTED ").append(span.kind()).append(']');
            findings.add(new Finding(line, span.kind()));
            for (int i = span.start(); i < span.end(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                }
            }
            done = span.end();
        }
        out.append(text, done, text.length());
        return new Result(out.toString(), List.copyOf(findings));
    }

    private static void find(Rule rule, Matcher m, List<Span> spans) {
        while (m.find()) {
            if (rule.group() >= 0) {
                spans.add(new Span(m.start(rule.group()), m.end(rule.group()), rule.kind()));
            } else {
                int group = m.group(2) != null ? 2 : 3;
                if (looksSecret(m.group(group))) {
                    spans.add(new Span(m.start(group), m.end(group), rule.kind()));
                }
            }
        }
    }

    /** The lines (start to end offsets, in order) holding any of the triggers. */
    private static Map<Integer, Integer> lines(String text, String lower, List<String> triggers) {
        Map<Integer, Integer> lines = new TreeMap<>();
        for (String trigger : triggers) {
            for (int at = lower.indexOf(trigger); at >= 0; ) {
                int start = text.lastIndexOf('\n', at) + 1;
                int end = text.indexOf('\n', at);
                end = end < 0 ? text.length() : end;
                lines.put(start, end);
                at = lower.indexOf(trigger, end);
            }
        }
        return lines;
    }

    /** Lower-cases A to Z only, so every offset stays the same as in the text. */
    private static String asciiLowerCase(String text) {
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c >= 'A' && c <= 'Z') {
                chars[i] = (char) (c + 32);
            }
        }
        return new String(chars);
    }

    /**
     * Whether a value assigned to a secret-looking name is a credential rather than code: not a
     * number, not a plain identifier, and random enough (Shannon entropy in bits per character).
     */
    static boolean looksSecret(String value) {
        if (NUMBER.matcher(value).matches() || WORDS.matcher(value).matches()) {
            return false;
        }
        double entropy = entropy(value);
        if (value.length() >= 16) {
            return entropy >= 3.5;
        }
        boolean letter = value.chars().anyMatch(Character::isLetter);
        boolean digit = value.chars().anyMatch(Character::isDigit);
        return letter && digit && entropy >= 2.75;
    }

    static double entropy(String value) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double bits = 0;
        double n = value.length();
        for (int count : counts) {
            if (count > 0) {
                bits -= count / n * (Math.log(count / n) / Math.log(2));
            }
        }
        if (other > 0) {
            bits -= other / n * (Math.log(other / n) / Math.log(2));
        }
        return bits;
    }
}
