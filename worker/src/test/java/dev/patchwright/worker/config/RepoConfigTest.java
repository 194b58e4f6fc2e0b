package dev.patchwright.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwright.inference.money.Money;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepoConfigTest {

    private static final String FILE = ".github/patchwright.yml";

    private static RepoConfigException failure(String yaml) {
        try {
            RepoConfig.parse(yaml, FILE);
        } catch (RepoConfigException e) {
            return e;
        }
        throw new AssertionError("expected the config to be rejected:\n" + yaml);
    }

    @Test
    void onlyTestGivesDefaults() throws Exception {
        RepoConfig config = RepoConfig.parse("test: ./mvnw -B test\n", FILE);

        assertThat(config).isEqualTo(RepoConfig.withTest("./mvnw -B test"));
        assertThat(config.triggerLabel()).isEqualTo("patchwright");
        assertThat(config.setup()).isNull();
        assertThat(config.pathsIgnore()).isEmpty();
        assertThat(config.candidates()).isNull();
        assertThat(config.setupTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(config.testTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.setupNetwork()).isTrue();
    }

    @Test
    void readsEveryKey() throws Exception {
        String yaml = """
                # Patchwright settings
                trigger-label: bot-fix
                setup: |
                  npm ci
                  npm run build
                test: npm test -- --ci
                paths-ignore:
                  - docs/
                  - "*.png"
                candidates: 6
                setup-timeout: 1h30m
                test-timeout: 90s
                setup-network: false
                budget:
                  monthly: 20
                  per-issue: $2.50
                  per-issue-time: 30m
                allow-test-changes: true
                rounds: 2
                accept: tests-pass
                allowed: [alice, acme/maintainers]
                """;

        RepoConfig config = RepoConfig.parse(yaml, FILE);

        assertThat(config).isEqualTo(new RepoConfig("bot-fix", "npm ci\nnpm run build", "npm test -- --ci",
                List.of("docs/", "*.png"), 6, 2, Duration.ofMinutes(90), Duration.ofSeconds(90), false,
                new RepoBudget(Money.parse("20"), Money.parse("2.50"), Duration.ofMinutes(30)), true,
                AcceptRule.TESTS_PASS, List.of("alice", "acme/maintainers")));
    }

    @Test
    void aBudgetThatIsNotAmountsOfDollarsIsRefusedWithTheKeyAndLine() throws Exception {
        assertThat(failure("test: make test\nbudget:\n  monthly: -5\n")).hasMessage(FILE
                + " line 3: 'budget.monthly': '-5' is not an amount of dollars; write for example 5, $5, 0.25 or $0.0123");
        assertThat(failure("test: make test\nbudget:\n  monthly: 5\n  per-issue: 1.0000001\n")).hasMessageContaining(
                "line 4: 'budget.per-issue': amount $1.0000001 is finer than a micro-dollar");
        assertThat(failure("test: make test\nbudget:\n  montly: 5\n")).hasMessage(FILE
                + " line 3: unknown key 'montly' in 'budget'; known keys: monthly, per-issue, per-issue-time");
        assertThat(failure("test: make test\nbudget: 20\n")).hasMessageContaining("'budget' must be a mapping");
        assertThat(failure("test: make test\nbudget: {per-issue-time: 30}\n")).hasMessageContaining(
                "'per-issue-time' must be a duration such as 90s");
        assertThat(RepoConfig.parse("test: make test\n", FILE).budget()).isEqualTo(RepoBudget.NONE);
    }

    @Test
    void syntaxErrorGivesLineAndColumn() {
        RepoConfigException e = failure("test: make test\nsetup: [unclosed\n");

        assertThat(e.line()).isEqualTo(3);
        assertThat(e).hasMessage(FILE + " line 3, column 1: YAML syntax error: while parsing a flow sequence,"
                + " expected ',' or ']', but got <stream end>");
    }

    @Test
    void badIndentationIsASyntaxError() {
        RepoConfigException e = failure("test: make test\n  setup: make\n");

        assertThat(e).hasMessage(FILE + " line 2, column 8: YAML syntax error: mapping values are not allowed here");
    }

    @Test
    void documentMustBeAMapping() {
        assertThat(failure("- test: make\n")).hasMessage(FILE
                + " line 1: the document must be a mapping of keys such as 'test: <command>', not a list");
        assertThat(failure("make test\n")).hasMessageContaining("not the string 'make test'");
    }

    @Test
    void unknownKeySuggestsTheClosest() {
        RepoConfigException e = failure("test: make\ntest_timeout: 5m\n");

        assertThat(e.line()).isEqualTo(2);
        assertThat(e).hasMessageStartingWith(FILE + " line 2: unknown key 'test_timeout'; did you mean 'test-timeout'?")
                .hasMessageContaining("known keys: trigger-label, setup, test,");
        assertThat(failure("test: make\ntriger-label: x\n")).hasMessageContaining("did you mean 'trigger-label'?");
        assertThat(failure("test: make\nmodel: gpt\n")).hasMessageContaining("unknown key 'model'; known keys")
                .hasMessageNotContaining("did you mean");
    }

    @Test
    void repeatedKeyIsRejected() {
        assertThat(failure("test: a\nsetup: b\ntest: c\n"))
                .hasMessage(FILE + " line 3: key 'test' appears twice (first on line 1)");
    }

    @Test
    void withoutTestTheBuildIsDetectedButABlankTestIsAMistake() throws Exception {
        assertThat(RepoConfig.parse("setup: make deps\n", FILE).test()).isNull();
        assertThat(RepoConfig.parse("", FILE)).isEqualTo(RepoConfig.detected());
        assertThat(failure("rounds: 11\n")).hasMessage(FILE + " line 1: 'rounds' must be a whole number from 1 to 10, got 11");
        assertThat(failure("accept: vibes\n")).hasMessage(FILE
                + " line 1: 'accept' must be one of 'fail-to-pass', 'tests-pass', not 'vibes'");
        assertThat(failure("test:\n")).hasMessageContaining("'test' must be a string, not an empty value");
        assertThat(failure("test: '  '\n")).hasMessage(FILE + " line 1: 'test' must not be blank");
    }

    @Test
    void wrongTypesNameKeyAndLine() {
        assertThat(failure("test: make\ncandidates: many\n"))
                .hasMessage(FILE + " line 2: 'candidates' must be a whole number from 1 to 16, not the string 'many'");
        assertThat(failure("test: make\ncandidates: 17\n"))
                .hasMessage(FILE + " line 2: 'candidates' must be a whole number from 1 to 16, got 17");
        assertThat(failure("test: make\ncandidates: 0\n")).hasMessageContaining("got 0");
        assertThat(failure("test: make\nsetup-network: maybe\n"))
                .hasMessage(FILE + " line 2: 'setup-network' must be true or false, not the string 'maybe'");
        assertThat(failure("test: [make, test]\n"))
                .hasMessage(FILE + " line 1: 'test' must be a string, not a list");
        assertThat(failure("test: make\npaths-ignore: docs/\n"))
                .hasMessageContaining("line 2: 'paths-ignore' must be a list of strings");
        assertThat(failure("test: make\npaths-ignore:\n  - docs/\n  - {a: b}\n"))
                .hasMessage(FILE + " line 4: every item of 'paths-ignore' must be a non-blank string, not a mapping");
        assertThat(failure("test: make\ntrigger-label: true\n"))
                .hasMessageContaining("'trigger-label' must be a string, not the boolean true");
    }

    @Test
    void durationsNeedAUnitAndARange() throws Exception {
        assertThat(failure("test: make\ntest-timeout: 90\n")).hasMessage(FILE
                + " line 2: 'test-timeout' must be a duration such as 90s, 10m, 1h or 1h30m, not a number without a unit (90)");
        assertThat(failure("test: make\nsetup-timeout: 10 minutes\n"))
                .hasMessageContaining("'setup-timeout' must be a duration");
        assertThat(failure("test: make\ntest-timeout: 0s\n"))
                .hasMessage(FILE + " line 2: 'test-timeout' must be between 1s and 24h, got 0s");
        assertThat(failure("test: make\ntest-timeout: 25h\n")).hasMessageContaining("got 25h");
        assertThat(RepoConfig.parse("test: make\ntest-timeout: 1h\nsetup-timeout: 45s\n", FILE))
                .extracting(RepoConfig::testTimeout, RepoConfig::setupTimeout)
                .containsExactly(Duration.ofHours(1), Duration.ofSeconds(45));
    }

    @Test
    void numericCommandIsReadAsText() throws Exception {
        assertThat(RepoConfig.parse("test: make check\ntrigger-label: 42\n", FILE).triggerLabel()).isEqualTo("42");
    }

    @Test
    void secondDocumentIsRejected() {
        assertThatThrownBy(() -> RepoConfig.parse("test: a\n---\ntest: b\n", FILE))
                .isInstanceOf(RepoConfigException.class).hasMessage(FILE + " line 2, column 1: YAML syntax error:"
                        + " expected a single document in the stream, but found another document");
    }

    @Test
    void aliasBombIsRejected() {
        StringBuilder yaml = new StringBuilder("test: make\na: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'm'; c++) {
            yaml.append(c).append(": &").append(c).append(" [*").append((char) (c - 1)).append(", *")
                    .append((char) (c - 1)).append(", *").append((char) (c - 1)).append("]\n");
        }
        assertThat(failure(yaml.toString())).hasMessageContaining(FILE);
    }
}
