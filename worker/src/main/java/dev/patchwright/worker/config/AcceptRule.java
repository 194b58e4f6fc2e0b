package dev.patchwright.worker.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a candidate must show before Patchwright calls it verified and opens a pull request for it. */
public enum AcceptRule {
    /**
     * No test that passed on the base commit fails with the patch, and some test goes from failing to passing: the
     * candidate's own reproduction test (which must fail on the base code) or a test that already failed there. A
     * patch that only passes tests that never covered the bug proves nothing.
     */
    FAIL_TO_PASS("fail-to-pass"),
    /** No test that passed on the base commit fails, and the test command passes: for suites known to cover the bug. */
    TESTS_PASS("tests-pass");

    private final String word;

    AcceptRule(String word) {
        this.word = word;
    }

    /** As written in {@code .github/patchwright.yml}. */
    public String word() {
        return word;
    }

    /** Every rule's word, for error messages. */
    public static String words() {
        return Arrays.stream(values()).map(r -> "'" + r.word + "'").collect(Collectors.joining(", "));
    }
}
