package dev.patchwright.worker.verify;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells a test run that could not build or run the tests from one whose tests ran and failed. On the base commit the
 * difference decides whether the job goes on: failing tests are what a patch may fix; a build that does not compile,
 * dependencies that cannot be resolved offline or a test command that is not there are the environment's fault, and
 * no model call can mend them.
 */
public final class BrokenRun {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");

    /** Signs, per tool, that the tests never ran: what each prints when the build or the collection broke. */
    private static final List<Sign> SIGNS = List.of(
            new Sign("(?m)^\\[ERROR] COMPILATION ERROR", "the code does not compile (Maven)"),
            new Sign("(?m)^\\[ERROR] Failed to execute goal [^\\n]*(?:Could not resolve dependencies|"
                    + "Plugin [^\\n]* or one of its dependencies could not be resolved|Cannot access [^\\n]* in offline mode)",
                    "Maven could not resolve the project's dependencies (offline: did `setup:` fill the cache?)"),
            new Sign("(?m)^\\[ERROR] (?:Non-resolvable parent POM|[^\\n]*Unresolveable build extension|"
                    + "The project [^\\n]* has \\d+ error)", "Maven could not read the project"),
            new Sign("(?m)(?:^> Could not resolve all (?:files|dependencies)|^Could not resolve all dependencies)",
                    "Gradle could not resolve the project's dependencies (offline: did `setup:` fill the cache?)"),
            new Sign("(?m)^Execution failed for task '[^']*:compile[^']*'", "the code does not compile (Gradle)"),
            new Sign("(?m)(?:^ERROR collecting |^E\\s+ImportError while importing|Interrupted: \\d+ errors? during collection)",
                    "pytest could not collect the tests"),
            new Sign("(?m)^ImportError: Failed to import test module", "unittest could not import a test module"),
            new Sign("(?m)^\\S*python[\\d.]*: No module named", "a Python module the test command runs is not installed"),
            new Sign("(?m)^error(?:\\[E\\d+])?: could not compile", "the code does not compile (cargo)"),
            new Sign("(?m)^FAIL\\s+\\S+\\s+\\[(?:build|setup) failed]", "the code does not build (go)"),
            new Sign("(?m)^npm (?:ERR!|error) Missing script", "the npm script the tests need does not exist"),
            new Sign("(?m)Error: Cannot find module '[^']+'", "a module the tests import is not installed (node)"),
            new Sign("(?m)(?:: command not found$|: not found$)", "a command the tests need is not installed"));

    private BrokenRun() {
    }

    /**
     * Why a run could not build or run the tests, or null when it ran them (whether they passed or failed).
     *
     * @param exitCode     the command's exit status
     * @param timedOut     whether it was killed at its time limit
     * @param description  how it ended, e.g. "killed at the 600 s time limit"
     * @param output       what it printed
     * @param failingTests the failing tests named in its output
     */
    public static String reason(int exitCode, boolean timedOut, String description, String output,
                                List<String> failingTests) {
        if (exitCode == 0 && !timedOut) {
            return null;
        }
        if (timedOut) {
            return "the tests did not finish: " + description;
        }
        if (exitCode == 126 || exitCode == 127) {
            return "the test command could not be run (" + description + ")";
        }
        String text = output == null ? "" : ANSI.matcher(output).replaceAll("");
        for (Sign sign : SIGNS) {
            Matcher m = sign.pattern.matcher(text);
            if (m.find()) {
                String line = firstLine(text, m.start());
                return sign.meaning + ": " + line;
            }
        }
        if (failingTests.isEmpty() && exitCode > 128) {
            return "the test command was killed (" + description + ") before any test was reported failing";
        }
        return null;
    }

    private static String firstLine(String text, int at) {
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        String line = text.substring(start, end < 0 ? text.length() : end).strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private record Sign(Pattern pattern, String meaning) {
        Sign(String regex, String meaning) {
            this(Pattern.compile(regex), meaning);
        }
    }
}
