package dev.patchwright.worker.verify;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the names of failing tests in the output of common test runners: Maven Surefire,
 * Gradle, Python unittest, pytest, go test, node/TAP, Jest/Vitest, Mocha and cargo test.
 *
 * <p>Java test names are reduced to {@code SimpleClass.method} whichever runner printed them, so
 * the same failure reported twice (Surefire's per-test line and its summary) counts once.
 */
public final class FailingTests {

    /** At most this many names are returned; a suite that fails wholesale says so in its output. */
    public static final int LIMIT = 50;

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");
    private static final Pattern JAVA_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(?:\\.[\\w$]+)*(?:\\([^)]*\\))?(?:\\[\\d+])?");

    // Surefire 3: "[ERROR] com.x.CalcTest.adds -- Time elapsed: 0.01 s <<< FAILURE!"; 2.x: "adds(com.x.CalcTest)  Time elapsed".
    private static final Pattern SUREFIRE_TEST = Pattern.compile(
            "^(?:\\[ERROR] )?(\\S+?)(?: --|\\s)\\s*Time elapsed: [\\d.,]+ s(?:ec)?\\s+<<< (?:FAILURE|ERROR)!");
    private static final Pattern SUREFIRE_OLD_NAME = Pattern.compile("([\\w$]+)\\(([\\w$.]+)\\)");
    private static final Pattern SUREFIRE_SECTION = Pattern.compile(
            "^(?:\\[ERROR] )?(?:Failures:|Errors:|Failed tests:|Tests in error:)\\s*$");
    // A summary entry: "[ERROR]   CalcTest.adds:12 expected..." or, in 2.x sections, "  CalcTest.adds:12 ...".
    private static final Pattern SUREFIRE_ENTRY = Pattern.compile("^(?:\\[ERROR])?\\s{2,}(?!Run \\d+:)(\\S+)(?:\\s|$)");
    private static final Pattern SUREFIRE_RERUN = Pattern.compile("^(?:\\[ERROR])?\\s+Run \\d+:");
    private static final Pattern SUREFIRE_ENTRY_WITH_LINE = Pattern.compile("^\\[ERROR]\\s{2,}(?!Run \\d+:)(\\S+?:\\d+\\S*)\\s");
    private static final Pattern GRADLE = Pattern.compile("^\\s*([\\w$.]+) > (.+) FAILED\\s*$");
    private static final Pattern UNITTEST = Pattern.compile("^(?:FAIL|ERROR): (\\w+) \\(([\\w.]+)\\)");
    private static final Pattern PYTEST_SUMMARY = Pattern.compile("^(?:FAILED|ERROR) (\\S+\\.py(?:::\\S+)?)");
    private static final Pattern PYTEST_VERBOSE = Pattern.compile("^(\\S+\\.py::\\S+) (?:FAILED|ERROR)\\b");
    private static final Pattern GO = Pattern.compile("^\\s*--- FAIL: (\\S+)");
    private static final Pattern TAP = Pattern.compile("^\\s*not ok \\d+(?: -)? ?(.*?)\\s*$");
    private static final Pattern JEST = Pattern.compile("^\\s*[✕×✗] (.+?)(?: \\(\\d+(?:\\.\\d+)? ?m?s\\))?\\s*$");
    private static final Pattern CARGO = Pattern.compile("^test (\\S+) \\.\\.\\. FAILED\\s*$");
    // Mocha's spec reporter: "  1 failing", then "  1) suite" with the test's title indented below, ending in ':'.
    private static final Pattern MOCHA_FAILING = Pattern.compile("^\\s*\\d+ failing\\s*$");
    private static final Pattern MOCHA_ENTRY = Pattern.compile("^(\\s*)\\d+\\) (.+?)(:?)\\s*$");

    private FailingTests() {
    }

    /**
     * The failing tests named in {@code testOutput}, in order of first appearance, without
     * repeats, at most {@link #LIMIT}. Empty when none is recognised (which does not mean that
     * all tests passed: the exit status says that).
     */
    public static List<String> extract(String testOutput) {
        Set<String> names = new LinkedHashSet<>();
        if (testOutput == null) {
            return List.of();
        }
        boolean inSurefireSection = false;
        boolean inMochaFailures = false;
        String[] lines = testOutput.split("\r?\n|\r");
        for (int i = 0; i < lines.length; i++) {
            if (names.size() >= LIMIT) {
                break;
            }
            String line = ANSI.matcher(lines[i]).replaceAll("");
            if (MOCHA_FAILING.matcher(line).matches()) {
                inMochaFailures = true;
                continue;
            }
            if (inMochaFailures) {
                Matcher entry = MOCHA_ENTRY.matcher(line);
                if (entry.matches()) {
                    names.add(mochaTitle(entry, lines, i));
                    continue;
                }
            }
            if (SUREFIRE_SECTION.matcher(line).matches()) {
                inSurefireSection = true;
                continue;
            }
            if (inSurefireSection) {
                if (SUREFIRE_RERUN.matcher(line).find()) {
                    continue;
                }
                Matcher m = SUREFIRE_ENTRY.matcher(line);
                if (m.find()) {
                    addJava(names, stripLineNumber(m.group(1)));
                    continue;
                }
                inSurefireSection = false;
            }
            String name = match(line);
            if (name != null && !name.isBlank()) {
                names.add(name);
            }
        }
        List<String> result = new ArrayList<>(names);
        return List.copyOf(result.subList(0, Math.min(LIMIT, result.size())));
    }

    private static String match(String line) {
        Matcher m;
        if ((m = SUREFIRE_TEST.matcher(line)).find()) {
            return java(m.group(1));
        }
        if ((m = SUREFIRE_ENTRY_WITH_LINE.matcher(line)).find()) {
            return java(stripLineNumber(m.group(1)));
        }
        if ((m = GRADLE.matcher(line)).find()) {
            String test = m.group(2);
            return simpleClass(m.group(1)) + "." + (test.endsWith("()") ? test.substring(0, test.length() - 2) : test);
        }
        if ((m = UNITTEST.matcher(line)).find()) {
            String method = m.group(1);
            String where = m.group(2);
            // Python 3.11+ prints "(module.Class.method)", older ones "(module.Class)".
            return where.endsWith("." + method) ? where : where + "." + method;
        }
        if ((m = PYTEST_SUMMARY.matcher(line)).find() || (m = PYTEST_VERBOSE.matcher(line)).find()) {
            return m.group(1);
        }
        if ((m = GO.matcher(line)).find()) {
            return m.group(1);
        }
        if ((m = TAP.matcher(line)).find()) {
            String description = m.group(1);
            // TAP: "# TODO" and "# SKIP" tests are allowed to fail.
            if (description.matches("(?i).*#\\s*(TODO|SKIP)\\b.*")) {
                return null;
            }
            return description.replaceFirst("\\s*#.*$", "");
        }
        if ((m = JEST.matcher(line)).find()) {
            return m.group(1);
        }
        if ((m = CARGO.matcher(line)).find()) {
            return m.group(1);
        }
        return null;
    }

    /** "1) calc" followed by indented "adds:" lines → "calc adds"; a title on one line ends in ':' itself. */
    private static String mochaTitle(Matcher entry, String[] lines, int at) {
        StringBuilder title = new StringBuilder(entry.group(2));
        if (!entry.group(3).isEmpty()) {
            return title.toString();
        }
        int indent = entry.group(1).length();
        for (int j = at + 1; j < lines.length && j < at + 8; j++) {
            String next = ANSI.matcher(lines[j]).replaceAll("");
            int nextIndent = next.length() - next.stripLeading().length();
            if (next.isBlank() || nextIndent <= indent) {
                break;
            }
            String part = next.strip();
            boolean last = part.endsWith(":");
            title.append(' ').append(last ? part.substring(0, part.length() - 1) : part);
            if (last) {
                break;
            }
        }
        return title.toString();
    }

    private static void addJava(Set<String> names, String token) {
        String name = java(token);
        if (name != null) {
            names.add(name);
        }
    }

    /** "CalcTest.adds:12->helper:30" → "CalcTest.adds". */
    private static String stripLineNumber(String token) {
        int colon = token.indexOf(':');
        return colon > 0 ? token.substring(0, colon) : token;
    }

    /** "com.x.CalcTest.adds(int)[2]" → "CalcTest.adds(int)[2]"; null when it is not a Java name. */
    private static String java(String qualified) {
        if (!JAVA_NAME.matcher(qualified).matches()) {
            return null;
        }
        Matcher old = SUREFIRE_OLD_NAME.matcher(qualified);
        if (old.matches()) {
            return simpleClass(old.group(2)) + "." + old.group(1);
        }
        int paren = qualified.indexOf('(');
        String head = paren >= 0 ? qualified.substring(0, paren) : qualified;
        String suffix = paren >= 0 ? qualified.substring(paren) : "";
        int dot = head.lastIndexOf('.');
        if (dot < 0) {
            return head + suffix;
        }
        return simpleClass(head.substring(0, dot)) + "." + head.substring(dot + 1) + suffix;
    }

    private static String simpleClass(String qualified) {
        return qualified.substring(qualified.lastIndexOf('.') + 1);
    }
}
