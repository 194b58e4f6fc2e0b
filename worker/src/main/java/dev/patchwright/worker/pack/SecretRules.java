package dev.patchwright.worker.pack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The credential formats {@link SecretScanner} knows by their shape, after the formats of gitleaks'
 * rule set (the patterns are written here, not copied): private key blocks (with or without their
 * END line), AWS, GitHub, GitLab, Slack, OpenAI, Anthropic, Stripe, Google API and npm keys, and
 * JSON Web Tokens. Names that say a value is secret, and passwords in URLs, are found by
 * {@link SecretAssignments} and {@link SecretScanner} without patterns.
 */
final class SecretRules {

    /**
     * One kind of credential, looked for only where one of its {@code triggers} occurs, in one of
     * three {@link Reach}es. An anchored rule is found from each occurrence of the character at
     * {@code scanAt} of its triggers: one rarely found in source text, so the scan stays fast.
     */
    record Rule(String kind, Pattern pattern, int group, List<String> triggers, Reach reach, int scanAt) {
    }

    /** Where a rule's pattern runs. */
    enum Reach {
        /** over the whole text, when a lower-case trigger occurs anywhere in the lower-cased text */
        WHOLE,
        /** over each line holding a lower-case trigger, which keeps broad patterns linear on large files */
        LINES,
        /** from each place the text itself starts with a trigger (exact case): the credential's own prefix */
        ANCHORED
    }

    // What may stand in a PEM body, quoted and escaped in source code as it often is.
    private static final String PEM_BODY = "[A-Za-z0-9+/=\\s\\\\\"'+,:\\-]";
    // Where a token ends: not followed by a character it could go on with.
    private static final String END = "(?![A-Za-z0-9_-])";

    static final List<Rule> RULES = List.of(
            // A block cut before its END line (a truncated log, a key pasted half) is redacted to the end of its body.
            new Rule("private-key", Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY((?: BLOCK)?)-----"
                    + "(?:" + PEM_BODY + "{40,}?-----END \\1PRIVATE KEY\\2-----|" + PEM_BODY + "{40,})"), 0,
                    List.of("private key"), Reach.WHOLE, 0),
            anchored("aws-access-key-id", "\\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[0-9A-Z]{16}\\b", 0,
                    "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA"),
            new Rule("aws-secret-access-key", Pattern.compile("(?i)aws[^\\n]{0,20}?(?:secret|private)[^\\n]{0,20}?"
                    + "(?:=|:|=>|:=)\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"), 1, List.of("aws"), Reach.LINES, 0),
            anchored("github-token", "\\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,255})\\b", 0,
                    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
            anchored("gitlab-token", "\\bglpat-[A-Za-z0-9_-]{20,300}(?:\\.[0-9a-z]{2}[0-9a-z]{7})?" + END, 0, "glpat-"),
            anchored("slack-token", "\\bxox[abposr]-[A-Za-z0-9-]{10,250}", 0, "xox"),
            new Rule("slack-webhook", Pattern.compile("https://hooks\\.slack\\.com/services/[A-Za-z0-9_/]{20,}"), 0,
                    List.of("hooks.slack.com"), Reach.WHOLE, 0),
            // Project, service-account and admin keys; the older user keys are sk- and 48 letters and digits.
            anchored("openai-api-key", "\\bsk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{48})" + END,
                    1, "sk-"),
            anchored("anthropic-api-key", "\\bsk-ant-[A-Za-z0-9_-]{32,}" + END, 1, "sk-ant-"),
            anchored("stripe-key", "\\b[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,99}" + END, 1,
                    "sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"),
            anchored("google-api-key", "\\bAIza[A-Za-z0-9_-]{35}" + END, 0, "AIza"),
            anchored("npm-token", "\\bnpm_[A-Za-z0-9]{36}" + END, 3, "npm_"),
            // Header and payload are base64url JSON objects, so both start with eyJ ({"); unsigned ones end in '.'.
            anchored("jwt", "\\beyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.(?:[A-Za-z0-9_-]{10,}={0,2})?", 2,
                    "eyJ"));

    private static Rule anchored(String kind, String pattern, int scanAt, String... triggers) {
        return new Rule(kind, Pattern.compile(pattern), 0, List.of(triggers), Reach.ANCHORED, scanAt);
    }

    /** One trigger of an {@link Reach#ANCHORED} rule, as Latin-1 bytes. */
    record Anchor(byte[] trigger, Rule rule) {
    }

    /** The anchors by the character they are scanned for ({@link Rule#scanAt}), null where none. */
    static final Anchor[][] ANCHORS = new Anchor[256][];
    /** Where that character stands in each of its anchors' triggers (the same for all of them). */
    static final int[] SCAN_AT = new int[256];
    /** The characters scanned for, each once. */
    static final char[] SCAN_CHARS;
    /** Whether some trigger starts with the two bytes {@code a b}, at {@code (a & 0xff) << 8 | (b & 0xff)}. */
    static final boolean[] STARTS = new boolean[1 << 16];

    static {
        List<List<Anchor>> byChar = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            byChar.add(new ArrayList<>());
        }
        StringBuilder chars = new StringBuilder();
        for (Rule rule : RULES) {
            if (rule.reach() != Reach.ANCHORED) {
                continue;
            }
            for (String trigger : rule.triggers()) {
                byte[] bytes = trigger.getBytes(StandardCharsets.ISO_8859_1);
                int scanned = bytes[rule.scanAt()] & 0xff;
                if (byChar.get(scanned).isEmpty()) {
                    chars.append((char) scanned);
                    SCAN_AT[scanned] = rule.scanAt();
                } else if (SCAN_AT[scanned] != rule.scanAt()) {
                    throw new IllegalStateException("anchors scanned for '" + (char) scanned + "' at different offsets");
                }
                byChar.get(scanned).add(new Anchor(bytes, rule));
                STARTS[(bytes[0] & 0xff) << 8 | (bytes[1] & 0xff)] = true;
            }
        }
        for (int b = 0; b < 256; b++) {
            ANCHORS[b] = byChar.get(b).isEmpty() ? null : byChar.get(b).toArray(new Anchor[0]);
        }
        SCAN_CHARS = chars.toString().toCharArray();
    }

    private SecretRules() {
    }
}
