package dev.patchwright.worker.pack;

import dev.patchwright.worker.pack.SecretRules.Anchor;
import dev.patchwright.worker.pack.SecretRules.Rule;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Finds credentials in a text and replaces each with {@code [REDACTED kind]}: the formats of
 * {@link SecretRules} (private keys, cloud, forge, chat and model providers' keys, JWTs), passwords
 * in URLs ({@code https://user:PASSWORD@host}), and high-entropy values assigned to names that say
 * they are secret ({@link SecretAssignments}). A model provider must never receive them: the packer
 * redacts every file, and {@link #redact} everything else sent to a model (test output, echoed
 * answers). Ordinary code (a {@code token} variable, a regular expression, a placeholder such as
 * {@code ${DB_PASSWORD}}) is left alone.
 */
public final class SecretScanner {

    /** A credential found on a 1-based line of the scanned text. */
    record Finding(int line, String kind) {
    }

    /** The text with its credentials replaced, and where they were. */
    record Result(String text, List<Finding> findings) {
    }

    record Span(int start, int end, String kind) {
    }

    private static final String URL_PASSWORD_KIND = "password-in-url";

    private SecretScanner() {
    }

    /**
     * The text with every credential the scanner knows replaced by {@code [REDACTED kind]}; the
     * same instance when there is none. For any text bound for a model that the packer did not
     * redact already.
     *
     * @param text the text; null is returned as null
     */
    public static String redact(String text) {
        return text == null ? null : scan(text).text();
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
        for (Rule rule : SecretRules.RULES) {
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
        SecretAssignments.find(text, lower, spans);
        urlPasswords(text, spans);
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

    /**
     * Runs every anchored rule from each place {@code latin1} (the text's characters, one byte each)
     * holds a trigger. Each rule's triggers are found from one character of theirs, one rare in code
     * ({@link Rule#scanAt}), which String.indexOf (vectorised by the JVM) finds far faster than a
     * loop looks at every byte; a trigger's first two bytes then rule out most places at once.
     */
    private static void anchored(String text, byte[] latin1, List<Span> spans) {
        for (char scanned : SecretRules.SCAN_CHARS) {
            int offset = SecretRules.SCAN_AT[scanned];
            for (int at = text.indexOf(scanned, offset); at >= 0; at = text.indexOf(scanned, at + 1)) {
                int start = at - offset;
                if (start + 1 < latin1.length
                        && SecretRules.STARTS[(latin1[start] & 0xff) << 8 | (latin1[start + 1] & 0xff)]) {
                    anchoredAt(text, latin1, start, SecretRules.ANCHORS[scanned], spans);
                }
            }
        }
    }

    /** Runs those of {@code anchors} whose trigger {@code latin1} holds at {@code at}. */
    private static void anchoredAt(String text, byte[] latin1, int at, Anchor[] anchors, List<Span> spans) {
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

    /**
     * Adds the passwords of URLs with credentials in them, {@code scheme://user:PASSWORD@host}: the
     * password alone, so the model still sees which URL it was. Placeholders ({@code ${...}},
     * {@code {...}}, {@code %s}, {@code ****}) and values under three characters are left alone.
     */
    private static void urlPasswords(String text, List<Span> spans) {
        // ':' is rare in most code, and indexOf of one char is much faster than of a string.
        for (int at = text.indexOf(':'); at >= 0; at = text.indexOf(':', at + 1)) {
            if (at == 0 || !text.startsWith("//", at + 1) || !Character.isLetter(text.charAt(at - 1))) {
                continue;
            }
            int colon = -1;
            for (int i = at + 3; i < text.length() && i < at + 3 + 300; i++) {
                char c = text.charAt(i);
                if (c == ':' && colon < 0) {
                    colon = i;
                } else if (c == '@') {
                    if (colon > at + 3 && !placeholder(text, colon + 1, i)) {
                        spans.add(new Span(colon + 1, i, URL_PASSWORD_KIND));
                    }
                    break;
                } else if (c <= ' ' || c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<'
                        || c == '>' || c == '`' || c == '\\') {
                    break;
                }
            }
        }
    }

    private static boolean placeholder(String text, int start, int end) {
        if (end - start < 3) {
            return true;
        }
        char first = text.charAt(start);
        return first == '$' || first == '{' || first == '%' || text.substring(start, end).chars().allMatch(c -> c == '*');
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
}
