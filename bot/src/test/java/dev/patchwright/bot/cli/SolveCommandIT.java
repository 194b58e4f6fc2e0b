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

/** {@code patchwright solve} on a local repository: the bot's pipeline with no GitHub at all. */
class SolveCommandIT {

    @TempDir
    Path temp;

    @Test
    void solvesALocalRepositoryAndWritesThePatchAndTheReport() throws Exception {
        Path repo = temp.resolve("calc");
        Files.createDirectories(repo.resolve(".github"));
        Files.writeString(repo.resolve("calc.py"), "def add(a, b):\n    return a - b\n");
        Files.writeString(repo.resolve("test_calc.py"), """
                import unittest
                from calc import add

                class CalcTest(unittest.TestCase):
                    def test_add(self):
                        self.assertEqual(add(2, 3), 5)
                """);
        Files.writeString(repo.resolve(".github/patchwright.yml"), "test: python3 -m unittest -v\n");
        GitRepos.commitAll(repo, "Calculator");
        Path issue = temp.resolve("bug.md");
        Files.writeString(issue, "# add() subtracts\n\n`add(2, 3)` is -1.\n");
        Path work = Files.createDirectory(temp.resolve("work"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        Path out = temp.resolve("out");

        try (ScriptedModelServer model = new ScriptedModelServer()) {
            model.enqueue("calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a * b\n>>>>>>> REPLACE\n");
            model.enqueue("calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream originalErr = System.err;
            int exit;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                exit = new CommandLine(new Cli()).execute("solve", "--repo", repo.toString(), "--issue-file",
                        issue.toString(), "--out", out.toString(), "--model-url", model.baseUrl(), "--model", "m",
                        "--home", temp.resolve("home").toString(), "--work-dir", work.toString(), "--candidates", "1");
            } finally {
                System.setErr(originalErr);
            }
            String console = err.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(console).isZero();
            assertThat(console).contains("[candidate 1] rejected: no test shows the issue fixed")
                    .contains("(test_calc.CalcTest.test_add)").contains("[candidate 2] passed");
        }
        String patch = Files.readString(out.resolve("patch.diff"));
        assertThat(patch).contains("diff --git a/calc.py b/calc.py").contains("-    return a - b")
                .contains("+    return a + b").doesNotContain("a * b");
        assertThat(Files.readString(out.resolve("report.md"))).startsWith("# add() subtracts")
                .contains("candidate 2 was accepted: test_calc.CalcTest.test_add fails on the base commit and passes with "
                        + "the patch").contains("Time per phase: fetch");
        assertThat(Files.readString(repo.resolve("calc.py"))).as("the user's checkout is untouched")
                .contains("a - b");
    }

    @Test
    void saysWhatIsMissingWithoutAModel() throws Exception {
        Path issue = Files.writeString(temp.resolve("bug.md"), "# Bug\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new Cli()).execute("solve", "--repo", temp.toString(), "--issue-file",
                    issue.toString(), "--model-url", "");
        } finally {
            System.setErr(originalErr);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("PATCHWRIGHT_MODEL_URL");
    }
}
