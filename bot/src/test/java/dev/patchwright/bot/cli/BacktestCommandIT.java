package dev.patchwright.bot.cli;

import dev.patchwright.bot.standin.ScriptedModelServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code patchwright eval backtest} on a repository with two past fixes, through the scripted model server: a script
 * that answers with each real fix scores 100%, one that answers nothing useful 0%, and a second run resumes.
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

    @Test
    void theRealFixesScoreEverythingNothingScoresNothingAndASecondRunResumes() throws Exception {
        Path repo = temp.resolve("calc");
        Files.createDirectories(repo.resolve(".github"));
        Files.writeString(repo.resolve(".github/patchwright.yml"), "test: python3 -m unittest -v\n");
        Files.writeString(repo.resolve("calc.py"), "def add(a, b):\n    return a - b\n\ndef mul(a, b):\n    return a + a\n");
        Files.writeString(repo.resolve("test_calc.py"), "import unittest\nclass T(unittest.TestCase):\n"
                + "    def test_imports(self):\n        import calc\n");
        GitRepos.commitAll(repo, "Calculator");
        Files.writeString(repo.resolve("calc.py"), "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a + a\n");
        Files.writeString(repo.resolve("test_add.py"), ADD_TEST);
        GitRepos.commitAll(repo, "add() subtracts");
        Files.writeString(repo.resolve("calc.py"), "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a * b\n");
        Files.writeString(repo.resolve("test_mul.py"), MUL_TEST);
        GitRepos.commitAll(repo, "mul() doubles its first argument");
        Path work = Files.createDirectory(temp.resolve("work"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));

        try (ScriptedModelServer model = new ScriptedModelServer()) {
            model.enqueue(MUL_FIX); // newest first
            model.enqueue(ADD_FIX);
            // One case at a time: the script answers in order, so each case gets its own fix.
            Run right = backtest(repo, work, model, temp.resolve("right"), "1");
            assertThat(right.exit).as(right.err).isZero();
            assertThat(right.out).contains("resolved 2 of 2 past fixes (100%), median $0.").contains("per resolved issue")
                    .contains("| mul() doubles its first argument | resolved |");
            assertThat(temp.resolve("right/results.json")).content().contains("\"outcome\" : \"resolved\"")
                    .contains("test_mul.MulTest.test_mul");
            assertThat(right.err).contains("[mine] 2 past fixes to replay");

            int calls = model.requests().size();
            Run again = backtest(repo, work, model, temp.resolve("right"), "1");
            assertThat(again.err).contains("[resume] 2 cases already replayed").contains("(cached)");
            assertThat(model.requests()).as("nothing replayed twice").hasSize(calls);
            assertThat(again.out).contains("resolved 2 of 2 past fixes (100%)");

            model.enqueue("I would rather not.");
            model.enqueue("Neither would I.");
            Run nothing = backtest(repo, work, model, temp.resolve("nothing"), "2");
            assertThat(nothing.out).as(nothing.err).contains("resolved 0 of 2 past fixes (0%)")
                    .contains("| mul() doubles its first argument | unresolved |");
            assertThat(temp.resolve("nothing/results.json")).content().contains("\"outcome\" : \"unresolved\"");
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run backtest(Path repo, Path work, ScriptedModelServer model, Path out, String casesAtOnce) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int exit;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new Cli()).execute("eval", "backtest", "--repo", repo.toString(), "--out",
                    out.toString(), "--model-url", model.baseUrl(), "--model", "m", "--price", "input=1.00,output=4.00",
                    "--home", temp.resolve("home").toString(), "--work-dir", work.toString(), "--candidates", "1",
                    "--rounds", "1", "--budget-per-issue", "0.50", "--budget", "5", "--cases-at-once", casesAtOnce);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Run(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }
}
