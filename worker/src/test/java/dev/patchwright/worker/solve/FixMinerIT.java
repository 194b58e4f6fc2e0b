package dev.patchwright.worker.solve;

import dev.patchwright.worker.git.RepoMirror;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mining a real repository's history for past fixes, in the real sandbox: a history made by the test with three
 * fixes that came with tests, one commit that does not build, one whose test is flaky, one whose test passes on the
 * parent too, and commits that are not fixes at all.
 */
class FixMinerIT {

    @TempDir
    Path temp;

    private static final String CONFIG = "test: python3 -m unittest -v\n";

    @Test
    void minesTheFixesThatCameWithAFailingTestAndSaysWhyTheOthersAreNot() throws Exception {
        Path repo = temp.resolve("calc");
        Files.createDirectories(repo);
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            commit(git, repo, "Calculator", files(".github/patchwright.yml", CONFIG,
                    "calc.py", "def add(a, b):\n    return a - b\n\ndef mul(a, b):\n    return a + b\n\n"
                            + "def neg(a):\n    return a\n",
                    "test_calc.py", "import unittest, calc\nclass CalcTest(unittest.TestCase):\n"
                            + "    def test_zero(self):\n        self.assertEqual(calc.add(0, 0), 0)\n"));
            commit(git, repo, "Fix add: it subtracted", files(
                    "calc.py", "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a + b\n\n"
                            + "def neg(a):\n    return a\n",
                    "test_add.py", "import unittest, calc\nclass AddTest(unittest.TestCase):\n"
                            + "    def test_add(self):\n        self.assertEqual(calc.add(2, 3), 5)\n"));
            commit(git, repo, "Document the calculator", files("README.md", "# calc\n"));
            commit(git, repo, "Half-done refactoring that does not even parse", files(
                    "calc.py", "def add(a, b)\n    return a + b\n",
                    "test_broken.py", "import unittest, calc\nclass BrokenTest(unittest.TestCase):\n"
                            + "    def test_add(self):\n        self.assertEqual(calc.add(1, 1), 2)\n"));
            commit(git, repo, "Put the parser back", files(
                    "calc.py", "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a + b\n\n"
                            + "def neg(a):\n    return a\n", "test_broken.py", null));
            commit(git, repo, "Fix mul: it added", files(
                    "calc.py", "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a * b\n\n"
                            + "def neg(a):\n    return a\n",
                    "test_mul.py", "import unittest, calc\nclass MulTest(unittest.TestCase):\n"
                            + "    def test_mul(self):\n        self.assertEqual(calc.mul(2, 3), 6)\n"));
            // Its test fails on the first run in a tree and passes on the next: flaky.
            commit(git, repo, "Speed up neg", files(
                    "calc.py", "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a * b\n\n"
                            + "def neg(a):\n    return a  # fast\n",
                    "test_timing.py", "import os, unittest\nclass TimingTest(unittest.TestCase):\n"
                            + "    def test_warm(self):\n        first = not os.path.exists('.warm')\n"
                            + "        open('.warm', 'w').close()\n        self.assertFalse(first)\n"));
            commit(git, repo, "Rename a variable, with a test that passed before too", files(
                    "calc.py", "def add(x, y):\n    return x + y\n\ndef mul(a, b):\n    return a * b\n\n"
                            + "def neg(a):\n    return a  # fast\n", "test_timing.py", null,
                    "test_more.py", "import unittest, calc\nclass MoreTest(unittest.TestCase):\n"
                            + "    def test_add_more(self):\n        self.assertEqual(calc.add(1, 1), 2)\n"));
            commit(git, repo, "Fix neg: it returned its argument", files(
                    "calc.py", "def add(x, y):\n    return x + y\n\ndef mul(a, b):\n    return a * b\n\n"
                            + "def neg(a):\n    return -a\n",
                    "test_calc.py", "import unittest, calc\nclass CalcTest(unittest.TestCase):\n"
                            + "    def test_zero(self):\n        self.assertEqual(calc.add(0, 0), 0)\n"
                            + "    def test_neg(self):\n        self.assertEqual(calc.neg(2), -2)\n"));
        }
        SolveSettings settings = SolveSettings.defaults(SolveFixture.work(temp));
        FixMiner miner = new FixMiner(new RepoMirror(temp.resolve("mirrors")), SolveFixture.sandbox(), settings,
                temp.resolve("mined"));
        List<String> progress = new ArrayList<>();

        List<FixMiner.Mined> mined = miner.mine("local/calc", repo.toUri(), null, null, 10, progress::add);

        assertThat(mined).extracting(FixMiner.Mined::title).containsExactly(
                "Fix neg: it returned its argument", "Rename a variable, with a test that passed before too",
                "Speed up neg", "Fix mul: it added", "Half-done refactoring that does not even parse",
                "Fix add: it subtracted");
        assertThat(mined.get(0).fix().failToPass()).containsExactly("test_calc.CalcTest.test_neg");
        assertThat(mined.get(0).fix().testFiles()).containsExactly("test_calc.py");
        assertThat(mined.get(0).fix().sourceFiles()).containsExactly("calc.py");
        assertThat(mined.get(1).skip()).isEqualTo("its tests pass on the parent too, so they do not show the bug");
        assertThat(mined.get(2).skip()).startsWith("flaky: its tests gave different results in two runs");
        assertThat(mined.get(3).fix().failToPass()).containsExactly("test_mul.MulTest.test_mul");
        assertThat(mined.get(4).skip()).startsWith("the fix commit does not build or run its tests: "
                + "unittest could not import a test module");
        assertThat(mined.get(5).fix().failToPass()).containsExactly("test_add.AddTest.test_add");
        assertThat(mined.get(5).fix().message()).startsWith("Fix add: it subtracted");

        List<String> again = new ArrayList<>();
        long started = System.nanoTime();
        assertThat(miner.mine("local/calc", repo.toUri(), null, null, 10, again::add)).isEqualTo(mined);
        assertThat(again).allSatisfy(line -> assertThat(line).contains("(cached)"));
        assertThat((System.nanoTime() - started) / 1_000_000).as("a second mining reads the cache").isLessThan(5_000);
        assertThat(miner.mine("local/calc", repo.toUri(), null, null, 2, line -> { }))
                .as("the limit counts cases, not commits").filteredOn(m -> m.fix() != null).hasSize(2);
    }

    @Test
    void aSetupThatFailsOnOneCommitRunsAgainOnTheNext() throws Exception {
        Path repo = temp.resolve("ready");
        Files.createDirectories(repo);
        String config = "setup: touch $HOME/ready\ntest: test -f $HOME/ready && python3 -m unittest -v\n";
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            commit(git, repo, "Calculator", files(".github/patchwright.yml", config,
                    "calc.py", "def add(a, b):\n    return a - b\n",
                    "test_calc.py", "import unittest, calc\nclass CalcTest(unittest.TestCase):\n"
                            + "    def test_zero(self):\n        self.assertEqual(calc.add(0, 0), 0)\n"));
            commit(git, repo, "Fix add: it subtracted", files("calc.py", "def add(a, b):\n    return a + b\n",
                    "test_add.py", "import unittest, calc\nclass AddTest(unittest.TestCase):\n"
                            + "    def test_add(self):\n        self.assertEqual(calc.add(2, 3), 5)\n"));
            commit(git, repo, "Fix add again, with a setup that breaks", files(
                    ".github/patchwright.yml", config.replace("touch $HOME/ready", "exit 3"),
                    "calc.py", "def add(a, b):\n    return b + a\n",
                    "test_add_more.py", "import unittest, calc\nclass MoreTest(unittest.TestCase):\n"
                            + "    def test_more(self):\n        self.assertEqual(calc.add(1, 1), 2)\n"));
        }
        FixMiner miner = new FixMiner(new RepoMirror(temp.resolve("mirrors")), SolveFixture.sandbox(),
                SolveSettings.defaults(SolveFixture.work(temp)), temp.resolve("cases"));

        List<FixMiner.Mined> mined = miner.mine("local/ready", repo.toUri(), null, null, 10, line -> { });

        assertThat(mined).extracting(FixMiner.Mined::title).containsExactly("Fix add again, with a setup that breaks",
                "Fix add: it subtracted");
        assertThat(mined.get(0).skip()).startsWith("its setup `exit 3` failed");
        assertThat(mined.get(1).fix()).as(mined.get(1).skip()).isNotNull();
        assertThat(mined.get(1).fix().failToPass()).containsExactly("test_add.AddTest.test_add");
    }

    /** Path and text pairs, in order; a null text deletes the path. */
    private static Map<String, String> files(String... pathsAndTexts) {
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndTexts.length; i += 2) {
            files.put(pathsAndTexts[i], pathsAndTexts[i + 1]);
        }
        return files;
    }

    private static void commit(Git git, Path repo, String message, Map<String, String> files) throws Exception {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = repo.resolve(file.getKey());
            if (file.getValue() == null) {
                Files.delete(path);
                git.rm().addFilepattern(file.getKey()).call();
                continue;
            }
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
            git.add().addFilepattern(file.getKey()).call();
        }
        git.commit().setMessage(message).setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com")
                .setSign(false).call();
    }
}
