package dev.patchwright.worker.pack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
     * One kind of credential, looked for only where one of its {@code triggers} occurs, in one of
     * three {@link Reach}es.
     */
    private record Rule(String kind, Pattern pattern, int group, List<String> triggers, Reach reach) {
    }

    /** Where a rule's pattern runs. */
    private enum Reach {
        /** over the whole text, when a lower-case trigger occurs anywhere in the lower-cased text */
        WHOLE,
        /** over each line holding a lower-case trigger, which keeps broad patterns linear on large files */
        LINES,
        /** from each place the text itself starts with a trigger (exact case): the credential's own prefix */
        ANCHORED
    }

    private record Span(int start, int end, String kind) {
    }

    private static final String VALUE = "[A-Za-z0-9+/=_\\-.~!@#%^&*]";

    private static final List<Rule> RULES = List.of(
            new Rule("private-key", Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY((?: BLOCK)?)-----"
                    + "[A-Za-z0-9+/=\\s\\\\\"'+,:\\-]{40,}?-----END \\1PRIVATE KEY\\2-----"), 0,
                    List.of("private key"), Reach.WHOLE),
            new Rule("aws-access-key-id", Pattern.compile(
                    "\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[0-9A-Z]{16}\\b"), 0,
                    List.of("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA"), Reach.ANCHORED),
            new Rule("aws-secret-access-key", Pattern.compile("(?i)aws[^\\n]{0,20}?(?:secret|private)[^\\n]{0,20}?"
                    + "(?:=|:|=>|:=)\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"), 1, List.of("aws"), Reach.LINES),
            new Rule("github-token", Pattern.compile(
                    "\\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,255})\\b"), 0,
                    List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), Reach.ANCHORED),
            new Rule("slack-token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,250}"), 0, List.of("xox"), Reach.ANCHORED),
            new Rule("slack-webhook", Pattern.compile("https://hooks\\.slack\\.com/services/[A-Za-z0-9_/]{20,}"), 0,
                    List.of("hooks.slack.com"), Reach.WHOLE));

    /**
     * A value assigned to a name that says it is secret: found from each occurrence of a trigger, by
     * the run of name characters around it holding a secret-looking name ({@link #secretName}: what
     * {@code (?i)password|passwd|pwd|secret|token|(api|access|private|auth)[_-]?key|credentials?}
     * matches) and followed by {@link #ASSIGNED}.
     * Driving the match from the triggers keeps it linear, where one pattern with the name's
     * character class on both sides backtracks over every word of every line that mentions a key.
     */
    private static final String ASSIGNMENT_KIND = "secret-assignment";
    private static final List<String> ASSIGNMENT_TRIGGERS = List.of("pass", "pwd", "secret", "token", "key", "credential");
    private static final Pattern ASSIGNED = Pattern.compile("[\"']?\\s*(?:=|:=|:|=>)\\s*"
            + "(?:([\"'`])(" + VALUE + "{8,200})\\1|(" + VALUE + "{12,200})(?=\\s*(?:$|[;,#])))");

    private static final Pattern NUMBER = Pattern.compile("[-+0-9.,_eExX]+");
    private static final Pattern WORDS = Pattern.compile("[A-Za-z_.\\-]+");

    private SecretScanner() {
    }

    /** Scans {@code text}; returns it unchanged (the same instance) when nothing was found. */
    static Result scan(String text) {
        // The text's characters one byte each: the non-Latin-1 ones become '?', which no trigger holds.
        byte[] latin1 = text.getBytes(StandardCharsets.ISO_8859_1);
        if (latin1.length != text.length()) {
            latin1 = onePerCharacter(text);
        }
        List<Span> spans = new ArrayList<>();
        anchored(text, latin1, spans);
        String lower = asciiLowerCase(latin1);
        for (Rule rule : RULES) {
            switch (rule.reach()) {
                case LINES -> {
                    for (Map.Entry<Integer, Integer> line : lines(text, lower, rule.triggers()).entrySet()) {
                        find(rule, rule.pattern().matcher(text).region(line.getKey(), line.getValue()), spans);
                    }
                }
                case WHOLE -> {
                    if (rule.triggers().stream().anyMatch(lower::contains)) {
                        find(rule, rule.pattern().matcher(text), spans);
                    }
                }
                case ANCHORED -> {
                    // found above, in one pass for all of them
                }
            }
        }
        assignments(text, lower, spans);
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
            spans.add(new Span(m.start(rule.group()), m.end(rule.group()), rule.kind()));
        }
    }

    /** One trigger of an {@link Reach#ANCHORED} rule, as Latin-1 bytes. */
    private record Anchor(byte[] trigger, Rule rule) {
    }

    /** The anchors by their first byte, so one pass over the text finds every anchored credential. */
    private static final Anchor[][] ANCHORS = anchors();

    /** The first chars of the anchors, each once. */
    private static final char[] ANCHOR_FIRSTS = anchorFirsts();

    private static char[] anchorFirsts() {
        StringBuilder firsts = new StringBuilder();
        for (int b = 0; b < ANCHORS.length; b++) {
            if (ANCHORS[b] != null) {
                firsts.append((char) b);
            }
        }
        return firsts.toString().toCharArray();
    }

    /** Whether some anchor starts with the two bytes {@code a b}, at {@code (a & 0xff) << 8 | (b & 0xff)}. */
    private static final boolean[] ANCHOR_STARTS = anchorStarts();

    private static boolean[] anchorStarts() {
        boolean[] starts = new boolean[1 << 16];
        for (Anchor[] anchors : ANCHORS) {
            for (Anchor anchor : anchors == null ? new Anchor[0] : anchors) {
                starts[(anchor.trigger()[0] & 0xff) << 8 | (anchor.trigger()[1] & 0xff)] = true;
            }
        }
        return starts;
    }

    private static Anchor[][] anchors() {
        List<List<Anchor>> byFirst = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            byFirst.add(new ArrayList<>());
        }
        for (Rule rule : RULES) {
            if (rule.reach() == Reach.ANCHORED) {
                for (String trigger : rule.triggers()) {
                    byte[] bytes = trigger.getBytes(StandardCharsets.ISO_8859_1);
                    byFirst.get(bytes[0] & 0xff).add(new Anchor(bytes, rule));
                }
            }
        }
        Anchor[][] table = new Anchor[256][];
        for (int b = 0; b < 256; b++) {
            table[b] = byFirst.get(b).isEmpty() ? null : byFirst.get(b).toArray(new Anchor[0]);
        }
        return table;
    }

    /** Runs every anchored rule from each place {@code latin1} (the text's characters, one byte each) holds a trigger. */
    private static void anchored(String text, byte[] latin1, List<Span> spans) {
        // Every trigger starts with one of a few chars, which String.indexOf (vectorised by the JVM)
        // finds far faster than a loop looks at every byte; every trigger is at least two bytes
        // long, and their first two bytes are rare in code.
        for (char first : ANCHOR_FIRSTS) {
            for (int at = text.indexOf(first); at >= 0; at = text.indexOf(first, at + 1)) {
                if (at + 1 < latin1.length && ANCHOR_STARTS[(first & 0xff) << 8 | (latin1[at + 1] & 0xff)]) {
                    anchoredAt(text, latin1, at, spans);
                }
            }
        }
    }

    /** Runs the anchored rules whose trigger {@code latin1} holds at {@code at}. */
    private static void anchoredAt(String text, byte[] latin1, int at, List<Span> spans) {
        Anchor[] anchors = ANCHORS[latin1[at] & 0xff];
        for (Anchor anchor : anchors) {
            byte[] trigger = anchor.trigger();
            if (at + trigger.length <= latin1.length
                    && Arrays.equals(latin1, at, at + trigger.length, trigger, 0, trigger.length)) {
                // Transparent bounds: a word boundary at the start looks at the character before.
                Matcher m = anchor.rule().pattern().matcher(text).useTransparentBounds(true)
                        .region(at, text.length());
                if (m.lookingAt()) {
                    spans.add(new Span(m.start(anchor.rule().group()), m.end(anchor.rule().group()),
                            anchor.rule().kind()));
                }
            }
        }
    }

    /** Finds secret-looking values assigned to secret-looking names; see {@link #ASSIGNED}. */
    private static void assignments(String text, String lower, List<Span> spans) {
        Set<Integer> runs = new HashSet<>();
        Matcher assigned = ASSIGNED.matcher(text);
        for (String trigger : ASSIGNMENT_TRIGGERS) {
            for (int at = lower.indexOf(trigger); at >= 0; at = lower.indexOf(trigger, at + 1)) {
                int start = at;
                int end = at + trigger.length();
                while (start > 0 && nameCharacter(text.charAt(start - 1))) {
                    start--;
                }
                while (end < text.length() && nameCharacter(text.charAt(end))) {
                    end++;
                }
                if (!secretName(lower, trigger, at, start) || !runs.add(end)) {
                    continue;
                }
                int lineEnd = text.indexOf('\n', end);
                if (!assigned.region(end, lineEnd < 0 ? text.length() : lineEnd).lookingAt()) {
                    continue;
                }
                int group = assigned.group(2) != null ? 2 : 3;
                if (looksSecret(assigned.group(group))) {
                    spans.add(new Span(assigned.start(group), assigned.end(group), ASSIGNMENT_KIND));
                }
            }
        }
    }

    /**
     * Whether the trigger at {@code at} of the lower-cased text is part of a secret-looking name in
     * the name that starts at {@code start}: {@code password} or {@code passwd}; {@code pwd},
     * {@code secret}, {@code token}, {@code credential} as they are; {@code key} after {@code api},
     * {@code access}, {@code private} or {@code auth} and an optional {@code _} or {@code -}. Every
     * such name holds one trigger, so a name is secret-looking when one of its triggers passes.
     */
    static boolean secretName(String lower, String trigger, int at, int start) {
        return switch (trigger) {
            case "pass" -> lower.startsWith("password", at) || lower.startsWith("passwd", at);
            case "key" -> before(lower, at, start, "api") || before(lower, at, start, "access")
                    || before(lower, at, start, "private") || before(lower, at, start, "auth");
            default -> true;
        };
    }

    /** Whether {@code word}, then perhaps {@code _} or {@code -}, ends at {@code at} and starts at or after {@code start}. */
    private static boolean before(String lower, int at, int start, String word) {
        if (at - word.length() >= start && lower.startsWith(word, at - word.length())) {
            return true;
        }
        char separator = at - 1 >= start ? lower.charAt(at - 1) : 0;
        return (separator == '_' || separator == '-') && at - 1 - word.length() >= start
                && lower.startsWith(word, at - 1 - word.length());
    }

    private static boolean nameCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Lower-cases A to Z of the text's characters, one byte each, so every offset stays the same as in the text. */
    private static String asciiLowerCase(byte[] latin1) {
        byte[] bytes = latin1.clone();
        int i = 0;
        // Eight bytes at a time: a byte below 0x80 gets 0x20 added when it lies in 'A'..'Z'. Adding to
        // the low seven bits of each byte never carries into the next byte.
        for (; i + 8 <= bytes.length; i += 8) {
            long word = (long) LONGS.get(bytes, i);
            long low = word & 0x7F7F7F7F7F7F7F7FL;
            long atLeastA = low + 0x3F3F3F3F3F3F3F3FL;
            long pastZ = low + 0x2525252525252525L;
            long upper = atLeastA & ~pastZ & ~word & 0x8080808080808080L;
            LONGS.set(bytes, i, word | upper >>> 2);
        }
        for (; i < bytes.length; i++) {
            int c = bytes[i];
            bytes[i] = (byte) (c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The text's characters one byte each, past Latin-1 as '?' (a surrogate pair as two). */
    private static byte[] onePerCharacter(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = text.charAt(i);
            bytes[i] = c < 256 ? (byte) c : (byte) '?';
        }
        return bytes;
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
