package dev.patchwright.worker.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A repository's settings from {@code .github/patchwright.yml}:
 *
 * <pre>
 * trigger-label: patchwright      # label that starts work on an issue
 * setup: ./mvnw -B -q -DskipTests install   # optional, may use the network
 * test: ./mvnw -B test            # runs offline; detected from the build files when absent
 * paths-ignore: [docs/, "*.png"]  # left out of the model's context
 * candidates: 4                   # patches sampled per round, 1..16; operator default when absent
 * rounds: 3                       # rounds of candidates at most, 1..10; each repairs the last; operator default
 * accept: fail-to-pass            # or tests-pass: the rule a candidate must meet to be accepted
 * setup-timeout: 20m              # 90s, 10m, 1h, 1h30m
 * test-timeout: 10m
 * setup-network: true
 * budget: {monthly: 20, per-issue: 2.50, per-issue-time: 30m}   # lowers the operator's limits, never raises
 * allow-test-changes: false       # whether a candidate may change existing tests, test scripts, .github/
 * allowed: [alice, acme/maintainers]  # only these users or org/team members may trigger; narrows, never widens
 * </pre>
 *
 * @param triggerLabel  issue label that starts work; default {@code patchwright}
 * @param setup         command run once before the tests (dependency download), or null
 * @param test          command that runs the tests (exit status 0 means they pass), or null to detect it from the
 *                      build files
 * @param pathsIgnore   paths or globs left out of the packed context; default empty
 * @param candidates    candidate patches per round (1..16), or null for the operator's default
 * @param rounds        rounds at most (1..10), or null for the operator's default
 * @param setupTimeout  wall-clock limit of {@code setup}; default 20 minutes
 * @param testTimeout   wall-clock limit of {@code test}; default 10 minutes
 * @param setupNetwork  whether {@code setup} may use the network; default true (tests never may)
 * @param budget        limits the repository lowers; {@link RepoBudget#NONE} when it gives none
 * @param allowTestChanges whether a candidate that changes existing tests, the files the test command runs or
 *                      anything under {@code .github/} may be accepted; default false
 * @param accept        the rule a candidate must meet to be accepted; default {@link AcceptRule#FAIL_TO_PASS}
 * @param allowed       users ({@code login}) and teams ({@code org/team-slug}) who alone may trigger, on top of the
 *                      operator's permission rule; empty (the default) when the rule alone decides
 */
public record RepoConfig(String triggerLabel, String setup, String test, List<String> pathsIgnore,
                         Integer candidates, Integer rounds, Duration setupTimeout, Duration testTimeout,
                         boolean setupNetwork, RepoBudget budget, boolean allowTestChanges, AcceptRule accept,
                         List<String> allowed) {

    /** Where the file lives in a repository. */
    public static final String PATH = ".github/patchwright.yml";
    public static final String DEFAULT_TRIGGER_LABEL = "patchwright";
    public static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofMinutes(20);
    public static final Duration DEFAULT_TEST_TIMEOUT = Duration.ofMinutes(10);
    public static final int MAX_CANDIDATES = 16;
    public static final int MAX_ROUNDS = 10;

    public RepoConfig {
        Objects.requireNonNull(triggerLabel, "triggerLabel");
        Objects.requireNonNull(setupTimeout, "setupTimeout");
        Objects.requireNonNull(testTimeout, "testTimeout");
        pathsIgnore = List.copyOf(pathsIgnore == null ? List.of() : pathsIgnore);
        budget = budget == null ? RepoBudget.NONE : budget;
        accept = accept == null ? AcceptRule.FAIL_TO_PASS : accept;
        allowed = List.copyOf(allowed == null ? List.of() : allowed);
    }

    /** The settings of a repository that gives none: every default, the build detected. */
    public static RepoConfig detected() {
        return withTest(null);
    }

    /** The same settings with the commands a detection chose: {@code setup} only where the repository gave none. */
    public RepoConfig withCommands(String detectedSetup, String detectedTest) {
        return new RepoConfig(triggerLabel, setup != null ? setup : detectedSetup, detectedTest, pathsIgnore, candidates,
                rounds, setupTimeout, testTimeout, setupNetwork, budget, allowTestChanges, accept, allowed);
    }

    /** The same settings under another acceptance rule (a revision is judged by the tests passing). */
    public RepoConfig withAccept(AcceptRule rule) {
        return new RepoConfig(triggerLabel, setup, test, pathsIgnore, candidates, rounds, setupTimeout, testTimeout,
                setupNetwork, budget, allowTestChanges, rule, allowed);
    }

    /** The settings for a repository that gives only its test command. */
    public static RepoConfig withTest(String test) {
        return new RepoConfig(DEFAULT_TRIGGER_LABEL, null, test, List.of(), null, null, DEFAULT_SETUP_TIMEOUT,
                DEFAULT_TEST_TIMEOUT, true, RepoBudget.NONE, false, AcceptRule.FAIL_TO_PASS, List.of());
    }

    /**
     * Reads the YAML text of a {@code patchwright.yml}.
     *
     * @param yaml       the file's text
     * @param sourceName the name to use in error messages, e.g. {@code .github/patchwright.yml}
     * @throws RepoConfigException on a YAML syntax error, a document that is not a mapping, an
     *                             unknown or repeated key, a value of the wrong type or range, or
     *                             a missing {@code test}; the message names file, line and key
     */
    public static RepoConfig parse(String yaml, String sourceName) throws RepoConfigException {
        return new RepoConfigReader(sourceName).read(yaml);
    }
}
