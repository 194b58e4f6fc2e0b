package dev.patchwright.bot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.standin.GitHubStandIn;
import dev.patchwright.bot.standin.ScriptedModelServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code patchwright eval backtest} on a repository with two past fixes, through the scripted model server and the
 * GitHub stand-in: a script that answers with each real fix scores 100%, one that answers nothing 0%, one that
 * weakens the tests 0%; the linked issue is the issue when GitHub has it; the run's money goes through the ledger,
 * holds the run's budget, and a second run resumes without paying again.
 */
class BacktestCommandIT {

    @TempDir
    Path temp;

    private static final String ADD_TEST = "import unittest, calc\nclass AddTest(unittest.TestCase):\n"
            + "    def test_add(self):\n        self.assertEqual(calc.add(2, 3), 5)\n";
    private static final String MUL_TEST = "import unittest, calc\nclass MulTest(unittest.TestCase):\n"
            + "    def test_mul(self):\n        self.assertEqual(calc.mul(2, 3), 6)\n";
    /** Each commit's real change, code and test, as the model would write it. */
    private static final String ADD_FIX = "calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n"
            + ">>>>>>> REPLACE\ntest_add.py\n<<<<<<< SEARCH\n=======\n" + ADD_TEST + ">>>>>>> REPLACE\n";
    private static final String MUL_FIX = "calc.py\n<<<<<<< SEARCH\n    return a + a\n=======\n    return a * b\n"
            + ">>>>>>> REPLACE\ntest_mul.py\n<<<<<<< SEARCH\n=======\n" + MUL_TEST + ">>>>>>> REPLACE\n";

    private Path repo;
    private Path work;

    @BeforeEach
    void historyWithTwoFixes() throws Exception {
        repo = temp.resolve("calc");
        Files.createDirectories(repo.resolve(".github"));
        // Candidates may write tests and passing tests accept one: only the hidden tests tell a weakened suite.
        Files.writeString(repo.resolve(".github/patchwright.yml"), "test: python3 -m unittest -v\n"
                + "allow-test-changes: true\naccept: tests-pass\n");
        Files.writeString(repo.resolve("calc.py"), "def add(a, b):\n    return a - b\n\ndef mul(a, b):\n    return a + a\n");
        Files.writeString(repo.resolve("test_calc.py"), "import unittest\nclass T(unittest.TestCase):\n"
                + "    def test_imports(self):\n        import calc\n");
        GitRepos.commitAll(repo, "Calculator");
        Files.writeString(repo.resolve("calc.py"), "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a + a\n");
        Files.writeString(repo.resolve("test_add.py"), ADD_TEST);
        GitRepos.commitAll(repo, "add() subtracts\n\nFixes #7");
        Files.writeString(repo.resolve("calc.py"), "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a * b\n");
        Files.writeString(repo.resolve("test_mul.py"), MUL_TEST);
        GitRepos.commitAll(repo, "mul() doubles its first argument (#9)");
        work = Files.createDirectory(temp.resolve("work"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    }

    @Test
    void theRealFixesScoreEverythingNothingScoresNothingAndASecondRunResumesWithoutPayingAgain() throws Exception {
        try (ScriptedModelServer model = new ScriptedModelServer();
             GitHubStandIn github = new GitHubStandIn(temp.resolve("github-requests.jsonl"))) {
            github.createRepo("acme", "calc", "main");
            github.addIssue("acme", "calc", 7, "Adding two numbers gives the wrong sum", "add(2, 3) returns -1.",
                    "reporter");
            model.enqueue(MUL_FIX); // newest first
            model.enqueue(ADD_FIX);
            // One case at a time: the script answers in order, so each case gets its own fix.
            Run right = backtest(model, github, temp.resolve("right"), "1", "5");
            assertThat(right.exit).as(right.err).isZero();
            assertThat(right.out).contains("resolved 2 of 2 past fixes (100%), median $0.").contains("per resolved issue")
                    .contains("| mul() doubles its first argument (#9) | resolved |").contains("of the $5.00 budget");
            assertThat(right.err).contains("[mine] 2 past fixes to replay")
                    .contains("[issue] ", ": issue acme/calc#7").contains("acme/calc#9 unavailable: HTTP 404");
            JsonNode results = new ObjectMapper().readTree(temp.resolve("right/results.json").toFile());
            assertThat(results).hasSize(2);
            assertThat(results.findValuesAsText("outcome")).containsOnly("resolved");
            assertThat(results.findValuesAsText("issueSource")).containsExactlyInAnyOrder("issue acme/calc#7",
                    "commit message (acme/calc#9 unavailable: HTTP 404 (no such issue, or a private repository"
                            + " without a token))");
            String addPrompt = model.requests().get(1).toString();
            assertThat(addPrompt).contains("Adding two numbers gives the wrong sum", "add(2, 3) returns -1.")
                    .doesNotContain("test_add.py", "AddTest");
            for (String chart : List.of("resolve-rate-by-spend.png", "cost.png", "time.png")) {
                BufferedImage image = ImageIO.read(temp.resolve("right").resolve(chart).toFile());
                assertThat(image).as(chart).isNotNull();
                assertThat(image.getWidth()).isGreaterThan(300);
            }
            String spent = right.out.replaceAll("(?s).*spent (\\$[0-9.]+) of the.*", "$1");

            int calls = model.requests().size();
            Run again = backtest(model, github, temp.resolve("right"), "1", "5");
            assertThat(again.err).contains("[resume] 2 cases already replayed").contains("(cached)")
                    .contains("[budget] earlier runs spent " + spent);
            assertThat(model.requests()).as("nothing replayed twice").hasSize(calls);
            assertThat(again.out).contains("resolved 2 of 2 past fixes (100%)").contains("spent " + spent + " of");

            model.enqueue("I would rather not.");
            model.enqueue("Neither would I.");
            Run nothing = backtest(model, github, temp.resolve("nothing"), "2", "5");
            assertThat(nothing.out).as(nothing.err).contains("resolved 0 of 2 past fixes (0%)")
                    .contains("| mul() doubles its first argument (#9) | unresolved |");
            assertThat(temp.resolve("nothing/results.json")).content().contains("\"outcome\" : \"unresolved\"");
        }
    }

    @Test
    void weakenedTestsScoreNothingAndTheRunsBudgetHoldsAcrossItsCases() throws Exception {
        try (ScriptedModelServer model = new ScriptedModelServer();
             GitHubStandIn github = new GitHubStandIn(temp.resolve("github-requests.jsonl"))) {
            github.createRepo("acme", "calc", "main");
            // Each answer leaves the bug and writes the hidden test's file with a test that checks nothing.
            model.enqueue(weakened("return a + a", "test_mul.py", "MulTest", "test_mul"));
            model.enqueue(weakened("return a - b", "test_add.py", "AddTest", "test_add"));
            Run weak = backtest(model, github, temp.resolve("weak"), "1", "5");
            assertThat(weak.exit).as(weak.err).isZero();
            assertThat(weak.out).as(weak.err).contains("resolved 0 of 2 past fixes (0%)");
            assertThat(temp.resolve("weak/results.json")).content()
                    .contains("the fix's tests still fail with the patch: test_add.AddTest.test_add")
                    .contains("the fix's tests still fail with the patch: test_mul.MulTest.test_mul");

            int calls = model.requests().size();
            Run poor = backtest(model, github, temp.resolve("poor"), "2", "0.01");
            assertThat(poor.exit).as(poor.err).isZero();
            assertThat(poor.out).contains("resolved 0 of 2 past fixes (0%)").contains("of the $0.01 budget");
            JsonNode results = new ObjectMapper().readTree(temp.resolve("poor/results.json").toFile());
            assertThat(results.findValuesAsText("verdict")).hasSize(2)
                    .allSatisfy(v -> assertThat(v).startsWith("no patch was chosen: the").contains("budget")
                            .contains("of $0.01"));
            long spent = 0;
            for (JsonNode r : results) {
                spent += r.get("costMicros").asLong();
            }
            assertThat(spent).isLessThanOrEqualTo(10_000);
            assertThat(model.requests()).as("no call the budget could not pay for").hasSize(calls);
        }
    }

    @Test
    void aGitHubRepositoryThatIsNotOwnerSlashNameIsRefusedBeforeAnythingRuns() {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new Cli()).execute("eval", "backtest", "--repo", repo.toString(), "--model-url",
                    "http://127.0.0.1:9/v1", "--model", "m", "--price", "input=1,output=1", "--home",
                    temp.resolve("home").toString(), "--github-repo", "https://github.com/acme/calc");
        } finally {
            System.setErr(originalErr);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(stderr.toString(StandardCharsets.UTF_8))
                .contains("--github-repo must be OWNER/NAME, got 'https://github.com/acme/calc'");
        assertThat(temp.resolve("home/backtest-cases")).doesNotExist();
    }

    private static String weakened(String buggyLine, String testFile, String testClass, String testName) {
        return "calc.py\n<<<<<<< SEARCH\n    " + buggyLine + "\n=======\n    " + buggyLine + "  # checked\n"
                + ">>>>>>> REPLACE\n" + testFile + "\n<<<<<<< SEARCH\n=======\nimport unittest\nclass " + testClass
                + "(unittest.TestCase):\n    def " + testName + "(self):\n        pass\n>>>>>>> REPLACE\n";
    }

    private record Run(int exit, String out, String err) {
    }

    private Run backtest(ScriptedModelServer model, GitHubStandIn github, Path out, String casesAtOnce, String budget) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int exit;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            List<String> args = new ArrayList<>(List.of("eval", "backtest", "--repo", repo.toString(), "--out",
                    out.toString(), "--model-url", model.baseUrl(), "--model", "m", "--price", "input=1.00,output=4.00",
                    "--home", temp.resolve("home").toString(), "--work-dir", work.toString(), "--candidates", "1",
                    "--rounds", "1", "--budget-per-issue", "0.50", "--budget", budget, "--cases-at-once", casesAtOnce,
                    "--github-api-url", github.apiUrl(), "--github-repo", "acme/calc"));
            exit = new CommandLine(new Cli()).execute(args.toArray(String[]::new));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Run(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }
}
