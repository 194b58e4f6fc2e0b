package dev.patchwright.worker.solve;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a candidate may not change unless the repository allows it ({@code allow-test-changes: true}): the
 * repository's existing tests, the files its test command runs, and anything under {@code .github/}. A patch that
 * empties a test file (or a workflow) makes the tests "pass" without fixing anything; it must not be called
 * verified. New test files are welcome, and so are tests added to an existing test file, as long as no line of
 * it is changed or removed (the candidate's code is then also judged with the base commit's own tests, so an added
 * line cannot neuter the tests either: see {@link CandidateJudge}).
 */
final class ProtectedPaths {

    private static final Pattern TEST_DIR = Pattern.compile("(^|/)(test|tests|__tests__|spec|specs|testing)/");
    private static final Pattern TEST_FILE = Pattern.compile(
            "(^|/)(test_[^/]*\\.py|[^/]*_test\\.(py|go|rs|rb|exs?)|[^/]*(Test|Tests|IT|Spec)\\.(java|kt|scala|groovy|cs)"
                    + "|[^/]*\\.(test|spec)\\.(c|m)?[jt]sx?|[^/]*_spec\\.rb|conftest\\.py)$");

    private ProtectedPaths() {
    }

    /**
     * The protected paths among {@code changed}, judged against the base commit's tree.
     *
     * @param changed     repository-relative paths the candidate's edits wrote or deleted
     * @param baseTree    the base commit, written out
     * @param testCommand the repository's test command: files it names are protected too
     */
    static List<String> touched(List<String> changed, Path baseTree, String testCommand) {
        return touched(changed, baseTree, testCommand, null);
    }

    /**
     * The protected paths among {@code changed}; with the candidate's {@code diff}, an existing test file to which
     * lines were only added is not among them.
     */
    static List<String> touched(List<String> changed, Path baseTree, String testCommand, String diff) {
        List<String> protectedPaths = new ArrayList<>();
        List<String> commandFiles = commandFiles(testCommand, baseTree);
        for (String path : changed) {
            boolean existed = Files.exists(baseTree.resolve(path), LinkOption.NOFOLLOW_LINKS);
            if (path.startsWith(".github/") || commandFiles.contains(path)
                    || existed && isTest(path) && !onlyAdded(diff, path)) {
                protectedPaths.add(path);
            }
        }
        return protectedPaths;
    }

    private static boolean onlyAdded(String diff, String path) {
        if (diff == null) {
            return false;
        }
        return SolveReport.DiffStat.of(diff).stream().anyMatch(s -> s.path().equals(path) && s.removed() == 0);
    }

    /** Whether {@code path} looks like a test by the usual conventions of the common build tools. */
    static boolean isTest(String path) {
        return TEST_DIR.matcher(path).find() || TEST_FILE.matcher(path).find();
    }

    /** Words of the test command that name a file of the repository ({@code ./run-tests.sh}, {@code Makefile}). */
    private static List<String> commandFiles(String testCommand, Path baseTree) {
        List<String> files = new ArrayList<>();
        if (testCommand == null) {
            return files;
        }
        for (String word : testCommand.split("[\\s;&|()]+")) {
            String path = word.replaceAll("^['\"]|['\"]$", "").replaceFirst("^\\./", "");
            if (!path.isEmpty() && !path.startsWith("-") && !path.contains("..") && !path.startsWith("/")
                    && Files.isRegularFile(baseTree.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
                files.add(path);
            }
        }
        if (testCommand.strip().toLowerCase(Locale.ROOT).startsWith("make")
                && Files.isRegularFile(baseTree.resolve("Makefile"), LinkOption.NOFOLLOW_LINKS)) {
            files.add("Makefile");
        }
        return files;
    }
}
