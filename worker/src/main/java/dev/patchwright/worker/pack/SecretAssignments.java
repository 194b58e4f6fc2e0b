package dev.patchwright.worker.pack;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials {@link SecretScanner} finds by where they stand rather than by their shape: values
 * assigned to names that say they are secret ({@code db_password = "..."}), when the value looks
 * random enough to be one. Ordinary code (a {@code token} variable, a placeholder such as
 * {@code ${DB_PASSWORD}}) is left alone.
 */
final class SecretAssignments {

    private static final String VALUE = "[A-Za-z0-9+/=_\\-.~!@#%^&*]";

    /*
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

    private SecretAssignments() {
    }

    /** Adds the secret-looking values assigned to secret-looking names in {@code text}; see {@link #ASSIGNED}. */
    static void find(String text, String lower, List<SecretScanner.Span> spans) {
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
                    spans.add(new SecretScanner.Span(assigned.start(group), assigned.end(group), ASSIGNMENT_KIND));
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

    static boolean nameCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
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
